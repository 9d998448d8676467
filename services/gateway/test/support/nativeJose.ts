import vm from 'node:vm';

/**
 * jose 6 is published as ES modules only. Node (≥ 20.19) loads it with require(), which is how the
 * built gateway runs; Jest 30 refuses require() of an ES module before Node 24.9 and the shared
 * Jest config does not transform node_modules. So the tests load the real jose with Node's own
 * require — outside Jest's module registry — and hand it to `jest.mock('jose', …)`, in every test
 * file that reaches jose:
 *
 *   jest.mock('jose', () => (require('./support/nativeJose') as typeof import('./support/nativeJose')).nativeJose());
 *
 * Nothing is replaced: it is the same jose the gateway uses. jose then lives in Node's realm, not
 * the test's: hand it only plain data and its own objects (its keys, its errors).
 */
export function nativeJose(): typeof import('jose') {
  const outerProcess = vm.runInThisContext('process') as { getBuiltinModule(id: string): unknown };
  const { createRequire } = outerProcess.getBuiltinModule('node:module') as typeof import('node:module');
  return createRequire(__filename)('jose') as typeof import('jose');
}
