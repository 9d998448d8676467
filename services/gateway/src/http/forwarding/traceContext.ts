/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) checks for what the gateway passes on.
 * Only version 00 is accepted: it is the one we can check completely, and a header we cannot check
 * is not forwarded (the trace restarts at the sidecar instead).
 */
const TRACEPARENT_V00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const ALL_ZEROS = /^0+$/;

export function isValidTraceparent(value: string): boolean {
  const match = TRACEPARENT_V00.exec(value);
  if (!match) return false;
  const [, traceId = '', parentId = ''] = match;
  return !ALL_ZEROS.test(traceId) && !ALL_ZEROS.test(parentId);
}

const TRACESTATE_MAX_LENGTH = 512;
const TRACESTATE_MAX_MEMBERS = 32;
const KEY_CHAR = '[a-z0-9_\\-*/]';
const SIMPLE_KEY = `[a-z]${KEY_CHAR}{0,255}`;
const MULTI_TENANT_KEY = `[a-z0-9]${KEY_CHAR}{0,240}@[a-z]${KEY_CHAR}{0,13}`;
// value = 0*255(chr) nblk-chr; chr = SP / nblk-chr; nblk-chr = printable ASCII but "," and "="
const VALUE = '[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]';
const LIST_MEMBER = new RegExp(`^(${SIMPLE_KEY}|${MULTI_TENANT_KEY})=${VALUE}$`);

/** At most 512 characters and 32 members, each `key=value` of the spec's grammar, no key twice. */
export function isValidTracestate(value: string): boolean {
  if (value.length > TRACESTATE_MAX_LENGTH) return false;
  const members = value
    .split(',')
    .map((member) => member.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((member) => member !== '');
  if (members.length > TRACESTATE_MAX_MEMBERS) return false;
  const keys = new Set<string>();
  for (const member of members) {
    if (!LIST_MEMBER.test(member)) return false;
    const key = member.slice(0, member.indexOf('='));
    if (keys.has(key)) return false;
    keys.add(key);
  }
  return true;
}

export interface TraceHeaders {
  traceparent?: string;
  tracestate?: string;
}

/** The trace headers worth passing on: a valid traceparent, and tracestate only beside one (the spec ties them). */
export function validTraceHeaders(traceparent: string | undefined, tracestate: string | undefined): TraceHeaders {
  if (traceparent === undefined || !isValidTraceparent(traceparent)) return {};
  if (tracestate === undefined || tracestate === '' || !isValidTracestate(tracestate)) return { traceparent };
  return { traceparent, tracestate };
}
