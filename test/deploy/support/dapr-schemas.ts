/**
 * JSON Schemas of the Dapr resources deploy/ uses, written from the CustomResourceDefinitions of
 * Dapr 1.18.2 (charts/dapr/crds/{components,configuration,resiliency,subscription}.yaml in
 * github.com/dapr/dapr@v1.18.2), restricted to the fields those CRDs define. Unlike the CRDs they
 * set additionalProperties: false, because the API server rejects unknown fields of a structural
 * schema (kubectl's default strict field validation) and daprd would drop them anyway.
 * Free-form parts of the CRDs (x-kubernetes-preserve-unknown-fields) stay free-form here.
 */
type Schema = Record<string, unknown>;

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const strings = { type: 'array', items: str } as const;

function obj(properties: Record<string, unknown>, required: string[] = []): Schema {
  return { type: 'object', properties, required, additionalProperties: false };
}

function mapOf(value: unknown): Schema {
  return { type: 'object', additionalProperties: value };
}

/** The part of ObjectMeta a manifest sets. */
/** MetricSpec of the Configuration CRD (`rules` left out: deploy/ does not use them). */
const metricSpec = obj(
  {
    enabled: bool,
    recordErrorCodes: bool,
    latencyDistributionBuckets: { type: 'array', items: int },
    http: obj({ excludeVerbs: bool, increasedCardinality: bool, pathMatching: strings }),
  },
  ['enabled'],
);

const objectMeta = obj(
  {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 },
    namespace: str,
    labels: mapOf(str),
    annotations: mapOf(str),
  },
  ['name'],
);

function resource(kind: string, apiVersions: string[], spec: Schema, extra: Record<string, unknown> = {}, required = ['spec']): Schema {
  return obj(
    {
      apiVersion: { enum: apiVersions },
      kind: { const: kind },
      metadata: objectMeta,
      spec,
      ...extra,
    },
    ['apiVersion', 'kind', 'metadata', ...required],
  );
}

export const componentSchema = resource(
  'Component',
  ['dapr.io/v1alpha1'],
  obj(
    {
      type: { type: 'string', pattern: '^[a-z]+\\.[a-z0-9.-]+$' },
      version: { type: 'string', pattern: '^v[0-9]+$' },
      initTimeout: str,
      ignoreErrors: bool,
      metadata: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: str,
            // CRD: x-kubernetes-preserve-unknown-fields; Dapr reads a string.
            value: {},
            secretKeyRef: obj({ name: str, key: str }, ['name', 'key']),
          },
          required: ['name'],
          additionalProperties: false,
        },
      },
    },
    ['type', 'version', 'metadata'],
  ),
  { auth: obj({ secretStore: str }, ['secretStore']), scopes: strings },
);

const pipeline = obj(
  {
    handlers: {
      type: 'array',
      items: obj(
        {
          name: str,
          type: str,
          selector: obj({ fields: { type: 'array', items: obj({ field: str, value: str }, ['field', 'value']) } }, ['fields']),
        },
        ['name', 'type'],
      ),
    },
  },
  ['handlers'],
);

const apiRules = { type: 'array', items: obj({ name: str, version: str, protocol: str }, ['name', 'version']) };

export const configurationSchema = resource(
  'Configuration',
  ['dapr.io/v1alpha1'],
  obj({
    accessControl: obj({
      defaultAction: { enum: ['allow', 'deny'] },
      trustDomain: str,
      policies: {
        type: 'array',
        items: obj(
          {
            appId: str,
            defaultAction: { enum: ['allow', 'deny'] },
            namespace: str,
            trustDomain: str,
            operations: {
              type: 'array',
              items: obj({ name: str, httpVerb: strings, action: { enum: ['allow', 'deny'] } }, ['name', 'action']),
            },
          },
          ['appId'],
        ),
      },
    }),
    api: obj({ allowed: apiRules, denied: apiRules }),
    appHttpPipeline: pipeline,
    httpPipeline: pipeline,
    components: obj({ deny: strings }),
    features: { type: 'array', items: obj({ name: str, enabled: bool }, ['name', 'enabled']) },
    logging: obj({ apiLogging: obj({ enabled: bool, obfuscateURLs: bool, omitHealthChecks: bool }) }),
    metric: metricSpec,
    metrics: metricSpec,
    mtls: obj({ enabled: bool, allowedClockSkew: str, controlPlaneTrustDomain: str, sentryAddress: str, workloadCertTTL: str }, [
      'enabled',
      'controlPlaneTrustDomain',
      'sentryAddress',
    ]),
    nameResolution: obj({ component: str, version: str, configuration: { type: 'object' } }, ['component', 'configuration', 'version']),
    secrets: obj(
      {
        scopes: {
          type: 'array',
          items: obj({ storeName: str, defaultAccess: { enum: ['allow', 'deny'] }, allowedSecrets: strings, deniedSecrets: strings }, [
            'storeName',
          ]),
        },
      },
      ['scopes'],
    ),
    tracing: obj(
      {
        samplingRate: { type: 'string', pattern: '^(0(\\.[0-9]+)?|1(\\.0+)?)$' },
        stdout: bool,
        zipkin: obj({ endpointAddress: str }, ['endpointAddress']),
        otel: obj({ endpointAddress: str, isSecure: bool, protocol: str }, ['endpointAddress', 'isSecure', 'protocol']),
      },
      ['samplingRate'],
    ),
    wasm: obj({ strictSandbox: bool }),
  }),
);

const duration = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$' };
const policyNames = obj({ timeout: str, retry: str, circuitBreaker: str });

export const resiliencySchema = resource(
  'Resiliency',
  ['dapr.io/v1alpha1'],
  obj(
    {
      policies: obj({
        timeouts: mapOf(duration),
        retries: mapOf(
          obj({
            policy: { enum: ['constant', 'exponential'] },
            duration,
            maxInterval: duration,
            maxRetries: int,
            matching: obj({ httpStatusCodes: str, gRPCStatusCodes: str }),
          }),
        ),
        circuitBreakers: mapOf(obj({ maxRequests: int, interval: duration, timeout: duration, trip: str })),
      }),
      targets: obj({
        apps: mapOf(obj({ timeout: str, retry: str, circuitBreaker: str, circuitBreakerCacheSize: int })),
        actors: mapOf(obj({ timeout: str, retry: str, circuitBreaker: str, circuitBreakerScope: str, circuitBreakerCacheSize: int })),
        components: mapOf(obj({ inbound: policyNames, outbound: policyNames })),
      }),
    },
    ['policies', 'targets'],
  ),
  { scopes: strings },
);

export const subscriptionSchema = resource(
  'Subscription',
  ['dapr.io/v2alpha1'],
  obj(
    {
      pubsubname: str,
      topic: str,
      deadLetterTopic: str,
      metadata: mapOf(str),
      routes: obj({ default: str, rules: { type: 'array', items: obj({ match: str, path: str }, ['match', 'path']) } }),
      bulkSubscribe: obj({ enabled: bool, maxMessagesCount: int, maxAwaitDurationMs: int }, ['enabled']),
    },
    ['pubsubname', 'topic', 'routes'],
  ),
  { scopes: strings },
);

export const daprSchemas: Record<string, Schema> = {
  Component: componentSchema,
  Configuration: configurationSchema,
  Resiliency: resiliencySchema,
  Subscription: subscriptionSchema,
};
