import vm from 'node:vm';

/**
 * jose 6 is published as ES modules only, and Jest 30 refuses require() of an ES module before
 * Node 24.9 (the shared Jest config does not transform node_modules). So the tests load the real
 * jose with Node's own require, outside Jest's module registry — as the gateway's unit tests do
 * (services/gateway/test/support/nativeJose.ts). jose then lives in Node's realm, not the test's:
 * hand it plain data and its own objects (its keys, its byte arrays).
 */
export function nativeJose(): typeof import('jose') {
  const outerProcess = vm.runInThisContext('process') as { getBuiltinModule(id: string): unknown };
  const { createRequire } = outerProcess.getBuiltinModule('node:module') as typeof import('node:module');
  return createRequire(__filename)('jose') as typeof import('jose');
}
