import type { Response } from 'express';
import { isErrorBody } from '@staycar/common';
import type { ForwardedResponse } from '../../ports';

/** True when the answer is Dapr's own failure (callee unreachable, breaker open, timeout), not the callee's. */
export function isDaprFailure(status: number, body: Buffer): boolean {
  if (status < 500) return false;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return !isErrorBody(parsed) && typeof parsed === 'object' && parsed !== null && 'errorCode' in parsed;
  } catch {
    return status === 502 || status === 503 || status === 504;
  }
}

/** Passes the service's answer on: status, the allowed headers, body. */
export function relay(res: Response, answer: ForwardedResponse): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(answer.body);
}
