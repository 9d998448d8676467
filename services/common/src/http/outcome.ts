import type { Request, RequestHandler, Response } from 'express';
import { DomainError, isErrorBody, STATUS_OF_KIND, type ErrorBody } from '../errors';

/**
 * Internal routes that the saga invokes answer a business refusal (404 not found, 409 unavailable,
 * 402 declined, 400) as HTTP 200 with this envelope, and keep non-2xx for real failures: Dapr's
 * resiliency counts every callee answer outside 200–399 as a failure, so a 409 in a race would
 * trip the caller's circuit breaker and be retried (docs/contracts.md, docs/resiliency.md).
 */
export interface Rejected {
  rejected: { status: number; error: ErrorBody['error'] };
}

/** Wraps an internal route: a DomainError that refuses (4xx) becomes `200 {rejected: {status, error}}`. */
export function answersRejections(handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof DomainError && error.isRefusal) {
        const body: Rejected = { rejected: { status: STATUS_OF_KIND[error.kind], error: error.toBody().error } };
        res.status(200).json(body);
        return;
      }
      throw error;
    }
  };
}

/** The refusal an internal answer carries, or undefined when it is a plain result. */
export function rejectionOf(answer: unknown): Rejected['rejected'] | undefined {
  if (typeof answer !== 'object' || answer === null || !('rejected' in answer)) return undefined;
  const rejected = answer.rejected;
  if (typeof rejected !== 'object' || rejected === null) return undefined;
  const { status } = rejected as { status?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499 || !isErrorBody(rejected)) return undefined;
  return rejected as Rejected['rejected'];
}
