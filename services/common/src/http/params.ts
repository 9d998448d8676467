import type { Request } from 'express';
import { notFound, validationFailed, type DomainError } from '../errors';
import { isClientId } from '../schemas';
import type { ReadinessCheck } from './app';

/**
 * A path segment that names a resource. Anything that is not a client id cannot name anything:
 * `missing()` (404, API.md "path ids"); by default NOT_FOUND.
 */
export function pathId(req: Pick<Request, 'params'>, name: string, missing: () => DomainError = () => notFound()): string {
  const value = String(req.params[name] ?? '');
  if (!isClientId(value)) throw missing();
  return value;
}

/** A path segment that is an argument, not the resource: a bad one is 400 on that field. */
export function pathArgument(req: Pick<Request, 'params'>, name: string): string {
  const value = String(req.params[name] ?? '');
  if (!isClientId(value)) throw validationFailed([{ field: name, reason: 'has an invalid format' }]);
  return value;
}

/** What every service's createApp takes to answer /readyz: its sidecar, and its store when it has one. */
export interface ReadinessDeps {
  sidecarHealthy: () => Promise<boolean>;
  storeHealthy?: () => Promise<boolean>;
}

export function readinessChecks(deps: ReadinessDeps, storeName = 'statestore'): ReadinessCheck[] {
  return [{ name: 'sidecar', check: deps.sidecarHealthy }, ...(deps.storeHealthy ? [{ name: storeName, check: deps.storeHealthy }] : [])];
}
