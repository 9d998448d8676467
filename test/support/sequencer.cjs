// E2e suites that stop, kill and restart services run last, so the suites that only use the
// system never run right after a restart (mDNS re-resolution, cold caches on 2 cores).
const Sequencer = require('@jest/test-sequencer').default;

const DISRUPTIVE = /(resilience|crash|drill)\.test\.ts$/;

class StaycarSequencer extends Sequencer {
  sort(tests) {
    const byPath = (a, b) => a.path.localeCompare(b.path);
    const calm = tests.filter((t) => !DISRUPTIVE.test(t.path)).sort(byPath);
    const disruptive = tests.filter((t) => DISRUPTIVE.test(t.path)).sort(byPath);
    return [...calm, ...disruptive];
  }
}

module.exports = StaycarSequencer;
