import vm from 'node:vm';

/**
 * jose 6 is ES modules only. The built service loads it with Node's require() (Node ≥ 20.19), but
 * Jest 30 refuses require() of an ES module before Node 24.9 and the shared Jest config does not
 * transform node_modules. So each test file that reaches jose hands Jest the real jose, loaded by
 * Node's own require outside Jest's registry (the gateway's tests do the same):
 *
 *   jest.mock('jose', () => (require('./support/nativeJose') as typeof import('./support/nativeJose')).nativeJose());
 *
 * jose then lives in Node's realm: give it plain data and its own objects only.
 */
export function nativeJose(): typeof import('jose') {
  const outerProcess = vm.runInThisContext('process') as { getBuiltinModule(id: string): unknown };
  const { createRequire } = outerProcess.getBuiltinModule('node:module') as typeof import('node:module');
  return createRequire(__filename)('jose') as typeof import('jose');
}
