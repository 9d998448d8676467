import { clock, recorded } from './state.mjs';

export function check(value, sets) {
  let ok = true;
  for (const [name, fn] of Object.entries(sets)) {
    const passed = Boolean(typeof fn === 'function' ? fn(value) : fn);
    if (passed) recorded.checks.passes++;
    else recorded.checks.fails[name] = (recorded.checks.fails[name] ?? 0) + 1;
    ok = ok && passed;
  }
  return ok;
}

export function fail(message) {
  throw new Error(message);
}

/** Advances a virtual clock instead of waiting (Date.now is shifted by the runner). */
export function sleep(seconds) {
  clock.offsetMs += seconds * 1000;
}

export function group(_name, fn) {
  return fn();
}

export default { check, fail, sleep, group };
