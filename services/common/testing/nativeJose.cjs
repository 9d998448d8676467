// jose 6 is published as ES modules only. The built services load it with Node's require()
// (Node >= 20.19), but Jest 30 refuses require() of an ES module before Node 24.9 and our Jest
// config does not transform node_modules. jest.config.js maps `jose` to this file, which loads the
// real jose with Node's own require, outside Jest's module registry: nothing is replaced, it is the
// same jose the services use. It then lives in Node's realm, not the test's: hand it plain data and
// its own objects (its keys, its errors, its byte arrays).
const vm = require('node:vm');

const outerProcess = vm.runInThisContext('process');
const { createRequire } = outerProcess.getBuiltinModule('node:module');
module.exports = createRequire(__filename)('jose');
