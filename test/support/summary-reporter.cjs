// CI reads the last line: "N passed, N failed" (suites that could not run count as failed). Jest
// prints its own summary on stderr, so this goes there too, after it; a copy lands in
// test-output/summary.txt for .ci/run.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    const dir = path.join(__dirname, '..', '..', 'test-output');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'summary.txt'), `${line}\n`);
    process.stderr.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
