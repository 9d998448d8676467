// What the stand-ins record, shared by them and the runner.
export const recorded = { calls: [], metrics: {}, checks: { passes: 0, fails: {} }, logs: [] };
export const clock = { offsetMs: 0 };
export const current = { scenario: 'setup', iterationInTest: 0, vu: 1 };
