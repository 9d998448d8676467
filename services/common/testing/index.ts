// Test support of @staycar/common (not part of the built package): the in-process StatePort and the
// contract that proves it behaves like the sidecar.
export * from './memoryStatePort';
export * from './statePortContract';
export * from './metrics';
