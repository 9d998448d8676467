# One image per service, all from this file:
#   docker build --build-arg SERVICE=room -t staycar-room .
# (scripts/images.sh builds and pushes all eight). The container runs `node dist/main.js` in
# services/<SERVICE>, as dapr.yaml does; its Dapr sidecar is injected by Kubernetes.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every workspace's dependencies, compile the service and @staycar/common ----------
FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /src
RUN test -n "$SERVICE" || { echo "Set --build-arg SERVICE=<gateway|identity|room|rentcar|reservation|payment|message|viewpage>" >&2; exit 1; }
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY services/ services/
RUN test -f "services/$SERVICE/package.json" || { echo "No service named '$SERVICE' under services/" >&2; exit 1; }
RUN npm ci --no-audit --no-fund
RUN npx tsc -b "services/$SERVICE"
# What the runtime stage needs: every workspace's package.json (npm ci checks them against the
# lockfile), plus the built service and common (dist/, and public/ where there is one).
RUN mkdir -p /out \
 && for dir in services/*/; do mkdir -p "/out/$dir" && cp "$dir/package.json" "/out/$dir"; done \
 && for dir in services/common "services/$SERVICE"; do \
      cp -r "$dir/dist" "/out/$dir/"; \
      if [ -d "$dir/public" ]; then cp -r "$dir/public" "/out/$dir/"; fi; \
    done

# ---- runtime: production dependencies of this one service only ------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /out/services/ services/
RUN npm ci --omit=dev --no-audit --no-fund --workspace "services/$SERVICE" --include-workspace-root=false \
 && npm cache clean --force
# Non-root (the node image's uid 1000, numeric so Kubernetes' runAsNonRoot can verify it).
USER 1000:1000
WORKDIR /app/services/${SERVICE}
EXPOSE 8080-8087
# Probes and health checks come from Kubernetes (/readyz, /healthz) and Dapr, not from Docker.
# OpenTelemetry first (off unless the ConfigMap names an OTLP endpoint: README "Traces").
CMD ["node", "--require", "@staycar/common/dist/telemetry/register", "dist/main.js"]
