import { isValidTraceparent, isValidTracestate, validTraceHeaders } from '../src/http/forwarding/traceContext';

describe('traceparent (W3C, version 00)', () => {
  it('accepts the spec example, sampled or not', () => {
    expect(isValidTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(true);
    expect(isValidTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')).toBe(true);
  });

  it.each([
    '',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
    '00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01',
    ' 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bg-01',
  ])('refuses %j', (value) => {
    expect(isValidTraceparent(value)).toBe(false);
  });
});

describe('tracestate', () => {
  it.each([
    'congo=t61rcWkgMzE',
    'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    'rojo=00f067aa0ba902b7 , congo=t61rcWkgMzE',
    'tenant1@vendor=value with spaces',
    'a*/_-=x',
    'rojo=1,,congo=2',
  ])('accepts %j', (value) => {
    expect(isValidTracestate(value)).toBe(true);
  });

  const members = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`).join(',');

  it.each([
    ['an upper-case key', 'Congo=1'],
    ['a key starting with a digit (not multi-tenant)', '1abc=1'],
    ['no "="', 'congo'],
    ['an empty value', 'congo='],
    ['a value ending in a space', 'congo=abc '.replace(/ $/, ' \u0000')],
    ['a "=" in the value', 'congo=a=b'],
    ['a control character', 'congo=a\u0001b'],
    ['a duplicate key', 'congo=1,congo=2'],
    ['33 members', members(33)],
    ['more than 512 characters', `k=${'v'.repeat(250)},l=${'v'.repeat(250)},m=${'v'.repeat(20)}`],
    ['a system id longer than 14', 'tenant@abcdefghijklmnop=1'],
  ])('refuses %s', (_name, value) => {
    expect(isValidTracestate(value)).toBe(false);
  });

  it('accepts 32 members', () => {
    expect(isValidTracestate(members(32))).toBe(true);
  });

  it('is passed on only beside a valid traceparent', () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(validTraceHeaders(tp, 'a=1')).toEqual({ traceparent: tp, tracestate: 'a=1' });
    expect(validTraceHeaders('bad', 'a=1')).toEqual({});
    expect(validTraceHeaders(undefined, 'a=1')).toEqual({});
    expect(validTraceHeaders(tp, 'A=1')).toEqual({ traceparent: tp });
  });
});
