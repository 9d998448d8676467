const CLIENT_ID = /^[A-Za-z0-9_.:@-]{1,100}$/;

/**
 * API.md's rule for a client-supplied id, also every id in a path: 1..100 letters, digits and
 * `-_.:@`, and not a dot segment (`.` or `..` would be "this" or "the parent" to whoever cleans the path).
 */
export function isClientId(value: string): boolean {
  return CLIENT_ID.test(value) && value !== '.' && value !== '..';
}
