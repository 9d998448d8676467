// Module hooks: `k6`, `k6/http`, `k6/metrics`, `k6/execution` → the stand-ins beside this file;
// any other k6 module (or a remote jslib import) fails loudly, so a script cannot silently use
// something that is not checked. Files under loadtest/ are ES modules, as k6 reads them.
const STUBS = { k6: 'k6.mjs', 'k6/http': 'http.mjs', 'k6/metrics': 'metrics.mjs', 'k6/execution': 'execution.mjs' };
const LOADTEST = new URL('../../../loadtest/', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (Object.hasOwn(STUBS, specifier)) return { url: new URL(STUBS[specifier], import.meta.url).href, shortCircuit: true };
  if (specifier === 'k6' || specifier.startsWith('k6/') || /^https?:/.test(specifier)) {
    throw new Error(`no stand-in for "${specifier}": add one to test/loadtest/k6-stub/ (or avoid the module)`);
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith(LOADTEST) && url.endsWith('.js')) {
    const loaded = await next(url, { ...context, format: 'module' });
    return { ...loaded, format: 'module', shortCircuit: true };
  }
  return next(url, context);
}
