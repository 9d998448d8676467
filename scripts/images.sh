#!/usr/bin/env bash
# Builds the eight service images from the one Dockerfile and pushes them to a registry.
#
#   REGISTRY=ghcr.io/acme TAG=1.4.0 scripts/images.sh   build + push ghcr.io/acme/staycar-<app>:1.4.0
#   scripts/images.sh                                   build staycar-<app>:dev locally, no push
#                                                       (then kind load / minikube image load)
# Env: REGISTRY (empty = local only), TAG (default: dev without a registry, else the git commit),
#      SERVICES (default: all eight), DOCKER (default: docker; podman works too),
#      PLATFORM (e.g. linux/amd64, passed to --platform when set).
# At the end it prints the `kustomize edit set image` lines for deploy/overlays/production.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_SERVICES="gateway identity room rentcar reservation payment message viewpage"
SERVICES="${SERVICES:-$ALL_SERVICES}"
DOCKER="${DOCKER:-docker}"
REGISTRY="${REGISTRY:-}"
REGISTRY="${REGISTRY%/}"
if [ -n "$REGISTRY" ]; then
  TAG="${TAG:-$(git rev-parse --short HEAD 2>/dev/null || echo latest)}"
else
  TAG="${TAG:-dev}"
fi

if ! command -v "$DOCKER" >/dev/null 2>&1; then
  echo "images: '$DOCKER' not found. Install Docker (or set DOCKER=podman)." >&2
  exit 1
fi

image_name() {
  if [ -n "$REGISTRY" ]; then echo "$REGISTRY/staycar-$1:$TAG"; else echo "staycar-$1:$TAG"; fi
}

for svc in $SERVICES; do
  case " $ALL_SERVICES " in
    *" $svc "*) ;;
    *) echo "images: unknown service '$svc' (one of: $ALL_SERVICES)" >&2; exit 1 ;;
  esac
  image="$(image_name "$svc")"
  echo "==> building $image"
  "$DOCKER" build ${PLATFORM:+--platform "$PLATFORM"} --build-arg SERVICE="$svc" -t "$image" .
done

if [ -n "$REGISTRY" ]; then
  for svc in $SERVICES; do
    image="$(image_name "$svc")"
    echo "==> pushing $image"
    "$DOCKER" push "$image"
  done
  echo
  echo "Point the production overlay at these images:"
  echo "  cd deploy/overlays/production"
  for svc in $SERVICES; do
    echo "  kustomize edit set image staycar-$svc=$(image_name "$svc")"
  done
else
  echo
  echo "Built locally with tag $TAG (no REGISTRY, nothing pushed). Load them into your cluster:"
  for svc in $SERVICES; do
    echo "  kind load docker-image $(image_name "$svc")    # or: minikube image load $(image_name "$svc")"
  done
fi
