// The last lines CI reads: a pass that needed its retry is named, and one that needed it in two
// runs in a row counts as failed.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { summarize } = require('../support/summary-reporter.cjs') as {
  summarize: (results: unknown, previous: Set<string>) => { lines: string[]; retried: string[] };
};

const run = (tests: Array<{ fullName: string; status: string; invocations?: number }>) => ({
  numPassedTests: tests.filter((t) => t.status === 'passed').length,
  numFailedTests: tests.filter((t) => t.status === 'failed').length,
  numRuntimeErrorTestSuites: 0,
  numPendingTests: 0,
  numTodoTests: 0,
  testResults: [{ testResults: tests }],
});

describe('the summary CI reads', () => {
  it('when no test needed a retry, then it says so above "N passed, N failed"', () => {
    const { lines } = summarize(run([{ fullName: 'a', status: 'passed', invocations: 1 }]), new Set());
    expect(lines).toEqual(['retried: none', '1 passed, 0 failed']);
  });

  it('when a test passed on its retry, then it is named above the last line and still counts as passed once', () => {
    const { lines, retried } = summarize(
      run([
        { fullName: 'saga races', status: 'passed', invocations: 2 },
        { fullName: 'b', status: 'passed' },
      ]),
      new Set(),
    );
    expect(retried).toEqual(['saga races']);
    expect(lines).toEqual(['retried: saga races', '2 passed, 0 failed']);
  });

  it('when the same test needed its retry in the previous run too, then it counts as failed', () => {
    const { lines } = summarize(run([{ fullName: 'saga races', status: 'passed', invocations: 2 }]), new Set(['saga races']));
    expect(lines[0]).toMatch(/two runs in a row.*saga races/);
    expect(lines.at(-1)).toBe('0 passed, 1 failed');
  });
});
