import { CANCELLATION_POLICIES, type CancellationPolicy } from '@staycar/common';
import { daysBefore, localDay, quoteRefund, shareOf, startOfLocalDay, type RefundBasis } from '../src/domain/refund';

const MS = 1;
const at = (iso: string, deltaMs = 0) => new Date(Date.parse(iso) + deltaMs);
const basis = (cancellationPolicy: CancellationPolicy, extra: Partial<RefundBasis> = {}): RefundBasis => ({
  cancellationPolicy,
  timeZone: 'Asia/Seoul',
  checkIn: '2030-03-10',
  amount: 300_000,
  ...extra,
});

describe('the policies at their cut-offs (Asia/Seoul, UTC+9 all year: a day starts at 15:00 UTC the day before)', () => {
  // checkIn 2030-03-10: "until N days before" ends at 00:00 Seoul of 2030-03-(10 − N).
  it.each([
    ['flexible', '2030-03-08T15:00:00.000Z', 300_000, 150_000], // 00:00 of 03-09 in Seoul
    ['moderate', '2030-03-04T15:00:00.000Z', 300_000, 150_000], // 00:00 of 03-05
    ['strict', '2030-03-02T15:00:00.000Z', 150_000, 0], // 00:00 of 03-03
  ] as const)(
    'when a %s reservation is cancelled 1 ms before its cut-off %s, then %d; at the cut-off itself, then %d',
    (policy, cutOff, before, after) => {
      expect(quoteRefund(basis(policy), at(cutOff, -MS)).refundAmount).toBe(before);
      expect(quoteRefund(basis(policy), at(cutOff)).refundAmount).toBe(after);
      expect(quoteRefund(basis(policy), at(cutOff, +MS)).refundAmount).toBe(after);
    },
  );

  it('when a cut-off is named, then it is the first instant of the day N days before check-in in the room’s zone', () => {
    expect(quoteRefund(basis('flexible'), at('2030-01-01T00:00:00Z')).fullRefundUntil).toBe('2030-03-08T15:00:00.000Z');
    expect(quoteRefund(basis('moderate'), at('2030-01-01T00:00:00Z')).fullRefundUntil).toBe('2030-03-04T15:00:00.000Z');
    expect(quoteRefund(basis('strict'), at('2030-01-01T00:00:00Z')).fullRefundUntil).toBeNull();
    expect(quoteRefund(basis('non_refundable'), at('2030-01-01T00:00:00Z')).fullRefundUntil).toBeNull();
  });

  it('when the whole schedule is asked, then each stretch with its end and amount, the last one open-ended', () => {
    expect(quoteRefund(basis('moderate'), at('2030-01-01T00:00:00Z')).schedule).toEqual([
      { until: '2030-03-04T15:00:00.000Z', percent: 100, refundAmount: 300_000 },
      { until: null, percent: 50, refundAmount: 150_000 },
    ]);
    expect(quoteRefund(basis('strict'), at('2030-01-01T00:00:00Z')).schedule).toEqual([
      { until: '2030-03-02T15:00:00.000Z', percent: 50, refundAmount: 150_000 },
      { until: null, percent: 0, refundAmount: 0 },
    ]);
    expect(quoteRefund(basis('non_refundable'), at('2030-01-01T00:00:00Z')).schedule).toEqual([
      { until: null, percent: 0, refundAmount: 0 },
    ]);
  });

  it('when a non_refundable reservation is cancelled, then nothing, a year ahead or on the day', () => {
    for (const when of ['2029-03-10T00:00:00Z', '2030-03-09T14:59:59.999Z', '2030-03-10T03:00:00Z']) {
      expect(quoteRefund(basis('non_refundable'), at(when))).toMatchObject({ refundAmount: 0, percent: 0 });
    }
  });

  it.each(CANCELLATION_POLICIES.map((p) => [p]))(
    'when a %s reservation is cancelled after check-in day began (or after checkout), then the same as after the last cut-off',
    (policy) => {
      const last = quoteRefund(basis(policy), at('2030-01-01T00:00:00Z')).schedule.at(-1)!.refundAmount;
      for (const when of ['2030-03-09T15:00:00.000Z', '2030-03-10T12:00:00Z', '2030-04-01T00:00:00Z']) {
        expect(quoteRefund(basis(policy), at(when)).refundAmount).toBe(last);
      }
    },
  );

  it('when policies are compared at any instant, then a more flexible one never refunds less than a stricter one', () => {
    for (let hour = -24 * 12; hour <= 24; hour += 1) {
      const when = at('2030-03-10T00:00:00Z', hour * 3_600_000);
      const amounts = CANCELLATION_POLICIES.map((p) => quoteRefund(basis(p), when).refundAmount);
      expect([...amounts].sort((a, b) => b - a)).toEqual(amounts);
    }
  });
});

describe('days in the room’s time zone', () => {
  // 2030-03-09T11:30Z is 00:30 on 03-10 in Auckland (NZDT, UTC+13) but 03:30 on 03-09 in Los Angeles (PST, UTC−8).
  const instant = at('2030-03-09T11:30:00Z');

  it('when the same UTC instant is a different local day, then the day is counted where the room is', () => {
    expect(localDay(instant.getTime(), 'Pacific/Auckland')).toBe('2030-03-10');
    expect(localDay(instant.getTime(), 'America/Los_Angeles')).toBe('2030-03-09');
    // flexible, check-in 03-11: full refund until 00:00 of 03-10, local.
    const flexible = (timeZone: string) => quoteRefund(basis('flexible', { timeZone, checkIn: '2030-03-11' }), instant).refundAmount;
    expect(flexible('Pacific/Auckland')).toBe(150_000);
    expect(flexible('America/Los_Angeles')).toBe(300_000);
  });

  it('when a day starts, then at local midnight: 1 ms before it is still the day before', () => {
    expect(startOfLocalDay('2030-03-10', 'Pacific/Auckland').toISOString()).toBe('2030-03-09T11:00:00.000Z');
    expect(localDay(Date.parse('2030-03-09T11:00:00.000Z') - 1, 'Pacific/Auckland')).toBe('2030-03-09');
    expect(startOfLocalDay('2030-03-09', 'America/Los_Angeles').toISOString()).toBe('2030-03-09T08:00:00.000Z');
    expect(startOfLocalDay('2030-03-10', 'UTC').toISOString()).toBe('2030-03-10T00:00:00.000Z');
    // The zones farthest from UTC.
    expect(startOfLocalDay('2030-03-10', 'Pacific/Kiritimati').toISOString()).toBe('2030-03-09T10:00:00.000Z');
    expect(startOfLocalDay('2030-03-10', 'Etc/GMT+12').toISOString()).toBe('2030-03-10T12:00:00.000Z');
  });

  it('when the clocks go forward (Los Angeles, 2030-03-10 02:00), then the days on either side start 23 h apart and the cut-off follows', () => {
    const before = startOfLocalDay('2030-03-10', 'America/Los_Angeles'); // PST, UTC−8
    const after = startOfLocalDay('2030-03-11', 'America/Los_Angeles'); // PDT, UTC−7
    expect([before.toISOString(), after.toISOString()]).toEqual(['2030-03-10T08:00:00.000Z', '2030-03-11T07:00:00.000Z']);
    const la = basis('flexible', { timeZone: 'America/Los_Angeles', checkIn: '2030-03-12' });
    expect(quoteRefund(la, at('2030-03-11T06:59:59.999Z')).refundAmount).toBe(300_000);
    expect(quoteRefund(la, at('2030-03-11T07:00:00.000Z')).refundAmount).toBe(150_000);
  });

  it('when the clocks go back (Los Angeles, 2030-11-03 02:00), then the day after starts 25 h later', () => {
    expect(startOfLocalDay('2030-11-03', 'America/Los_Angeles').toISOString()).toBe('2030-11-03T07:00:00.000Z');
    expect(startOfLocalDay('2030-11-04', 'America/Los_Angeles').toISOString()).toBe('2030-11-04T08:00:00.000Z');
  });

  it('when a DST change skips midnight itself (Beirut, 2030-03-31 00:00 → 01:00), then the day starts at its first instant, 01:00', () => {
    const start = startOfLocalDay('2030-03-31', 'Asia/Beirut');
    expect(start.toISOString()).toBe('2030-03-30T22:00:00.000Z');
    expect(localDay(start.getTime() - 1, 'Asia/Beirut')).toBe('2030-03-30');
    const beirut = basis('moderate', { timeZone: 'Asia/Beirut', checkIn: '2030-04-05' });
    expect(quoteRefund(beirut, at('2030-03-30T21:59:59.999Z')).refundAmount).toBe(300_000);
    expect(quoteRefund(beirut, at('2030-03-30T22:00:00.000Z')).refundAmount).toBe(150_000);
  });

  it('when days are counted back across a month or a year, then by the calendar', () => {
    expect(daysBefore('2030-03-02', 5)).toBe('2030-02-25');
    expect(daysBefore('2032-03-01', 1)).toBe('2032-02-29');
    expect(daysBefore('2031-01-03', 7)).toBe('2030-12-27');
  });
});

describe('rounding', () => {
  it('when half of an odd amount is refunded, then it is rounded down to the smallest unit', () => {
    expect(shareOf(101, 50)).toBe(50);
    expect(shareOf(1, 50)).toBe(0);
    expect(shareOf(0, 100)).toBe(0);
    expect(shareOf(100_000_001, 50)).toBe(50_000_000);
    expect(shareOf(18_000_000_000, 100)).toBe(18_000_000_000);
    expect(quoteRefund(basis('moderate', { amount: 270_001 }), at('2030-03-09T00:00:00Z')).refundAmount).toBe(135_000);
    expect(quoteRefund(basis('strict', { amount: 3 }), at('2030-01-01T00:00:00Z')).refundAmount).toBe(1);
  });
});
