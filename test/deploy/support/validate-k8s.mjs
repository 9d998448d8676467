// Validates Kubernetes objects with the kubernetes-models classes (@kubernetes-models/validate).
// Those packages are ES modules only, which Jest's CommonJS runtime cannot load, so the manifests
// test runs this file with node: a JSON array of objects on stdin, a JSON array of
// {id, errors: string[]} on stdout.
//
// Beside the schema errors it reports unknown fields (a typo such as `readinessProbes` passes the
// schemas, which allow extra properties, but `kubectl apply` rejects it: strict field
// validation). The generated validators read every property their schema knows, so the object
// is validated through a Proxy that records which keys were read: a key never read is unknown.

const input = JSON.parse(await new Promise((resolve, reject) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => (text += chunk));
  process.stdin.on('end', () => resolve(text));
  process.stdin.on('error', reject);
}));

const modules = new Map();
async function modelClass(apiVersion, kind) {
  if (!/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion)) return undefined;
  if (!modules.has(apiVersion)) {
    modules.set(apiVersion, await import(`kubernetes-models/${apiVersion}`).catch(() => null));
  }
  const mod = modules.get(apiVersion);
  return mod?.[kind];
}

/** Wraps `value` so that reads are recorded per JSON pointer; returns the proxy and the read log. */
function tracked(value) {
  const read = new Map(); // pointer -> Set of keys read
  const wrap = (node, pointer) => {
    if (typeof node !== 'object' || node === null) return node;
    const keys = new Set();
    read.set(pointer, keys);
    return new Proxy(node, {
      get(target, key, receiver) {
        if (typeof key === 'string') keys.add(key);
        const child = Reflect.get(target, key, receiver);
        return typeof key === 'string' && Object.prototype.hasOwnProperty.call(target, key)
          ? wrap(child, `${pointer}/${key}`)
          : child;
      },
      ownKeys(target) {
        // Iterating an object (maps such as labels, or additionalProperties) counts as reading all its keys.
        for (const key of Reflect.ownKeys(target)) if (typeof key === 'string') keys.add(key);
        return Reflect.ownKeys(target);
      },
    });
  };
  return { proxy: wrap(value, ''), read };
}

function unknownFields(value, read, pointer = '') {
  if (typeof value !== 'object' || value === null) return [];
  const keys = read.get(pointer);
  if (!keys) return []; // the validator never looked inside (free-form content)
  const found = [];
  for (const key of Object.keys(value)) {
    if (Array.isArray(value) ? false : !keys.has(key)) found.push(`${pointer}/${key}`);
    else found.push(...unknownFields(value[key], read, `${pointer}/${key}`));
  }
  return found;
}

const results = [];
for (const object of input) {
  const id = `${object.kind}/${object.metadata?.name}`;
  const Model = await modelClass(object.apiVersion, object.kind);
  if (typeof Model !== 'function') {
    results.push({ id, errors: [`no kubernetes-models class for ${object.apiVersion} ${object.kind}`] });
    continue;
  }
  const errors = [];
  const model = new Model(structuredClone(object));
  try {
    model.validate();
  } catch (error) {
    errors.push(...(error.errors ?? [error]).map((e) => `${e.instancePath ?? ''} ${e.message}`.trim()));
  }
  const validateFn = await schemaValidator(object.apiVersion, object.kind);
  if (!validateFn) {
    errors.push(`no schema validator found for ${object.apiVersion} ${object.kind}`);
  } else {
    const { proxy, read } = tracked(structuredClone(object));
    validateFn(proxy);
    for (const field of unknownFields(object, read)) errors.push(`${field} is not a field of ${object.apiVersion} ${object.kind}`);
  }
  results.push({ id, errors });
}
process.stdout.write(JSON.stringify(results));

/** The generated schema validator behind a model class (kubernetes-models/_schemas/IoK8s…). */
async function schemaValidator(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  // The OpenAPI names take the group's first label: networking.k8s.io → Networking, rbac.authorization.k8s.io → Rbac.
  const groupPart = group === 'core' ? '' : capitalize(group.split('.')[0]);
  const name = `IoK8sApi${groupPart || 'Core'}${capitalize(version)}${kind}`;
  const mod = await import(`kubernetes-models/_schemas/${name}`).catch(() => null);
  return typeof mod?.validate === 'function' ? mod.validate : undefined;
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
