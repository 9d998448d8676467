import type { Express } from 'express';
import request from 'supertest';
import { rejectionOf } from '../../src';

/**
 * The saga's internal routes answer refusals as 200 {rejected: {status, error}} (docs/contracts.md);
 * this reads such an answer back as the status and error body it stands for.
 */
export const outcome = <R extends { status: number; body: unknown }>(res: R): R => {
  const rejected = res.status === 200 ? rejectionOf(res.body) : undefined;
  return rejected ? { ...res, status: rejected.status, body: { error: rejected.error } } : res;
};

/** An event of `type` delivered to the service as Dapr delivers it (a CloudEvent on /events/<type>). */
export const deliver = (app: Express, type: string, data: object) =>
  request(app)
    .post(`/events/${type}`)
    .set('content-type', 'application/cloudevents+json')
    .send(JSON.stringify({ id: `e-${Math.random()}`, type, data }));
