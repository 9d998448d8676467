import { isClientId as followsClientIdRule } from '@staycar/common';

/**
 * An id the gateway lets into a forwarded path: API.md's client-id rule (1..100 letters, digits and
 * `-_.:@`) and not a dot segment — `.` or `..` would mean "this" or "the parent" to whoever cleans
 * the path (daprd does).
 */
export function isPathId(value: string): boolean {
  return followsClientIdRule(value) && value !== '.' && value !== '..';
}
