// CI reads the last line: "N passed, N failed" (suites that could not run count as failed). Above
// it, `retried: …` names every test that passed only on its retry (test/support/e2e-retry.ts):
// such a pass is visible, never counted as a plain pass in silence. A test that needed its retry
// in two runs in a row counts as failed — a flake is a bug to find, not to retry. Jest prints its
// own summary on stderr, so these lines go there too, after it; a copy lands in
// test-output/summary.txt for .ci/run. The previous run's retried tests are remembered per
// machine (~/.cache/staycar/retried-tests.json, STAYCAR_CACHE_DIR to move it), per component
// profile (retried-tests-<profile>.json for the others: a run on another profile is not the
// same test's next run). scripts/test.mjs, which runs one Jest run per profile in CI, points
// STAYCAR_SUMMARY_FILE at a file per profile and adds their lines up.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const profile = () => process.env.STAYCAR_PROFILE || 'default';
const historyFile = () =>
  path.join(process.env.STAYCAR_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'staycar'), profile() === 'default' ? 'retried-tests.json' : `retried-tests-${profile()}.json`);

function readHistory() {
  try {
    const names = JSON.parse(fs.readFileSync(historyFile(), 'utf8')).retried;
    return new Set(Array.isArray(names) ? names : []);
  } catch {
    return new Set();
  }
}

function writeHistory(names) {
  fs.mkdirSync(path.dirname(historyFile()), { recursive: true });
  fs.writeFileSync(historyFile(), `${JSON.stringify({ at: new Date().toISOString(), retried: names }, null, 2)}\n`);
}

/** The summary lines for one run: pure, so the unit test can check the rules. */
function summarize(results, previouslyRetried) {
  const retried = [];
  for (const file of results.testResults) {
    for (const test of file.testResults) {
      if (test.status === 'passed' && (test.invocations ?? 1) > 1) retried.push(test.fullName);
    }
  }
  const twice = retried.filter((name) => previouslyRetried.has(name));
  const passed = results.numPassedTests - twice.length;
  const failed = results.numFailedTests + results.numRuntimeErrorTestSuites + twice.length;
  const skipped = results.numPendingTests + results.numTodoTests;
  const lines = [];
  if (twice.length > 0) lines.push(`retried in two runs in a row, counted as failed (a flake is a bug to fix): ${twice.join('; ')}`);
  lines.push(`retried: ${retried.length > 0 ? retried.join('; ') : 'none'}`);
  lines.push(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return { lines, retried };
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { lines, retried } = summarize(results, readHistory());
    writeHistory(retried);
    const file = process.env.STAYCAR_SUMMARY_FILE ?? path.join(__dirname, '..', '..', 'test-output', 'summary.txt');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    process.stderr.write(`\n${lines.join('\n')}\n`);
  }
}

module.exports = SummaryReporter;
module.exports.summarize = summarize;
