// A stand-in for k6/http that records every call (with its Authorization header) and answers like
// a tiny, correct staycar (./staycar.mjs).
import { createStaycar, headerOf } from './staycar.mjs';
import { current, recorded } from './state.mjs';

const staycar = createStaycar();

function respond({ status, body, headers }) {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    status,
    body: text,
    headers,
    timings: { duration: 1, waiting: 1 },
    json() {
      return JSON.parse(text);
    },
  };
}

export function request(method, url, body, params) {
  const headers = params?.headers ?? {};
  recorded.calls.push({ method, url: String(url), scenario: current.scenario, authorization: headerOf(headers, 'authorization') ?? null });
  return respond(staycar.answer(method, String(url), body ?? undefined, headers));
}
export const get = (url, params) => request('GET', url, null, params);
export const post = (url, body, params) => request('POST', url, body, params);
export const put = (url, body, params) => request('PUT', url, body, params);
export const patch = (url, body, params) => request('PATCH', url, body, params);
export const del = (url, body, params) => request('DELETE', url, body, params);
export function batch(requests) {
  return requests.map((r) => (Array.isArray(r) ? request(r[0], r[1], r[2], r[3]) : typeof r === 'string' ? get(r) : request(r.method ?? 'GET', r.url, r.body, r.params)));
}
export const expectedStatuses = (...statuses) => ({ expectedStatuses: statuses });
export function setResponseCallback() {}
export default { request, get, post, put, patch, del, batch, expectedStatuses, setResponseCallback };
