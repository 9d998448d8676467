// @seriousme/openapi-schema-validator is published as ES modules only; like nativeJose.cjs
// (services/common/testing), it is loaded with Node's own require, outside Jest's module registry.
const vm = require('node:vm');

const outerProcess = vm.runInThisContext('process');
const { createRequire } = outerProcess.getBuiltinModule('node:module');
module.exports = createRequire(__filename)('@seriousme/openapi-schema-validator');
