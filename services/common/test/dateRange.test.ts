import {
  addDays,
  assertBookableStay,
  assertValidRange,
  MAX_DAYS_AHEAD,
  stayProblems,
  dayNumber,
  nightsOf,
  rangeProblems,
  rangesOverlap,
  retryOnConflict,
  EtagConflictError,
  DomainError,
} from '../src';

describe('date ranges (half-open stays)', () => {
  it('when a stay ends the day the next begins (back-to-back), then they do not overlap', () => {
    expect(rangesOverlap({ checkIn: '2030-01-01', checkOut: '2030-01-03' }, { checkIn: '2030-01-03', checkOut: '2030-01-05' })).toBe(false);
    expect(rangesOverlap({ checkIn: '2030-01-03', checkOut: '2030-01-05' }, { checkIn: '2030-01-01', checkOut: '2030-01-03' })).toBe(false);
  });

  it('when stays share a night (partly, inside, same), then they overlap', () => {
    const a = { checkIn: '2030-01-01', checkOut: '2030-01-05' };
    expect(rangesOverlap(a, { checkIn: '2030-01-04', checkOut: '2030-01-06' })).toBe(true);
    expect(rangesOverlap(a, { checkIn: '2030-01-02', checkOut: '2030-01-03' })).toBe(true);
    expect(rangesOverlap(a, a)).toBe(true);
    expect(rangesOverlap(a, { checkIn: '2029-12-01', checkOut: '2030-02-01' })).toBe(true);
  });

  it('when checkOut is not after checkIn, then the stay is refused on checkOut', () => {
    expect(rangeProblems({ checkIn: '2030-01-02', checkOut: '2030-01-02' })).toEqual([
      { field: 'checkOut', reason: 'must be after checkIn' },
    ]);
    expect(rangeProblems({ checkIn: '2030-01-02', checkOut: '2030-01-01' })).toHaveLength(1);
  });

  it('when a day does not exist, then it is refused on its field', () => {
    expect(dayNumber('2030-02-30')).toBeUndefined();
    expect(rangeProblems({ checkIn: '2030-02-30', checkOut: '2030-03-02' }).map((p) => p.field)).toEqual(['checkIn']);
  });

  it('when a stay is 90 nights, then it is fine; 91, then refused', () => {
    expect(rangeProblems({ checkIn: '2030-01-01', checkOut: addDays('2030-01-01', 90) })).toEqual([]);
    expect(() => assertValidRange({ checkIn: '2030-01-01', checkOut: addDays('2030-01-01', 91) })).toThrow(DomainError);
  });

  it('when nights are counted across months and leap days, then checkOut - checkIn', () => {
    expect(nightsOf({ checkIn: '2028-02-27', checkOut: '2028-03-01' })).toBe(3);
    expect(assertValidRange({ checkIn: '2030-12-30', checkOut: '2031-01-02' })).toBe(3);
  });
});

describe('retrying ETag conflicts', () => {
  it('when a write loses races and then wins, then its result comes back', async () => {
    let calls = 0;
    const result = await retryOnConflict(
      async () => {
        if (++calls < 3) throw new EtagConflictError('conflict');
        return 'won';
      },
      { baseDelayMs: 1 },
    );
    expect(result).toBe('won');
    expect(calls).toBe(3);
  });

  it('when it loses every race, then 503 TRY_LATER after the bounded attempts', async () => {
    let calls = 0;
    const failing = retryOnConflict(
      async () => {
        calls++;
        throw new EtagConflictError('conflict');
      },
      { attempts: 4, baseDelayMs: 1 },
    );
    await expect(failing).rejects.toMatchObject({ kind: 'unavailable', code: 'TRY_LATER' });
    expect(calls).toBe(4);
  });

  it('when another error happens, then it passes through at once', async () => {
    let calls = 0;
    await expect(
      retryOnConflict(async () => {
        calls++;
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    expect(calls).toBe(1);
  });

  describe('the booking horizon of a stay a guest asks for', () => {
    const now = new Date('2030-06-15T23:59:59Z');
    const stay = (checkIn: string, nights = 2) => ({ checkIn, checkOut: addDays(checkIn, nights) });

    it('when checkIn is today (UTC), then fine; yesterday, then refused on checkIn', () => {
      expect(stayProblems(stay('2030-06-15'), now)).toEqual([]);
      expect(stayProblems(stay('2030-06-14'), now)).toEqual([{ field: 'checkIn', reason: 'must be today (UTC) or later' }]);
      expect(stayProblems(stay('2030-06-16'), new Date('2030-06-16T00:00:00Z'))).toEqual([]);
    });

    it('when checkIn is 500 days ahead, then fine; 501, then refused on checkIn', () => {
      expect(MAX_DAYS_AHEAD).toBe(500);
      expect(stayProblems(stay(addDays('2030-06-15', 500)), now)).toEqual([]);
      expect(stayProblems(stay(addDays('2030-06-15', 501)), now)).toEqual([{ field: 'checkIn', reason: 'must be at most 500 days ahead' }]);
    });

    it('when the stay is also too long or not a stay, then every problem is named; assertBookableStay throws 400 or counts nights', () => {
      expect(stayProblems({ checkIn: '2030-06-14', checkOut: '2030-10-01' }, now).map((p) => p.field)).toEqual(['checkOut', 'checkIn']);
      expect(stayProblems({ checkIn: '2030-02-30', checkOut: '2030-03-02' }, now).map((p) => p.field)).toEqual(['checkIn']);
      expect(assertBookableStay(stay('2030-06-20', 90), now)).toBe(90);
      let thrown: unknown;
      try {
        assertBookableStay(stay('2030-01-01'), now);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ kind: 'invalid', code: 'VALIDATION_FAILED', message: 'The dates are not a valid stay.' });
    });
  });
});
