import { Type } from '@sinclair/typebox';

/**
 * A room's cancellation terms (issue 18): its policy and the time zone its days are counted in.
 * room stores them, reservation keeps those in force when a reservation is made and decides the
 * refund by them (services/reservation/src/domain/refund.ts has the rules). Only the names, the
 * defaults and the time-zone check are shared here.
 */
export const CANCELLATION_POLICIES = ['flexible', 'moderate', 'strict', 'non_refundable'] as const;
export type CancellationPolicy = (typeof CANCELLATION_POLICIES)[number];

export const DEFAULT_CANCELLATION_POLICY: CancellationPolicy = 'flexible';
export const DEFAULT_TIME_ZONE = 'Asia/Seoul';

export interface CancellationTerms {
  cancellationPolicy: CancellationPolicy;
  /** An IANA time zone name, as Intl spells it. */
  timeZone: string;
}

export const DEFAULT_CANCELLATION_TERMS: CancellationTerms = {
  cancellationPolicy: DEFAULT_CANCELLATION_POLICY,
  timeZone: DEFAULT_TIME_ZONE,
};

/** The terms a record stored before issue 18 lacks are the defaults (any field it has stays). */
export const cancellationTermsOf = (terms: Partial<CancellationTerms>): CancellationTerms => ({
  cancellationPolicy: terms.cancellationPolicy ?? DEFAULT_CANCELLATION_POLICY,
  timeZone: terms.timeZone ?? DEFAULT_TIME_ZONE,
});

/**
 * An IANA name's shape (`Asia/Seoul`, `America/Argentina/Buenos_Aires`, `Etc/GMT+9`, `UTC`). Intl
 * also takes offsets such as `+09:00`, which are not zone names: they start with a sign and are refused.
 */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** The IANA time zone name as Intl spells it (`asia/seoul` → `Asia/Seoul`), or undefined when Intl knows no such zone. */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.length > 64 || !ZONE_NAME.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The ajv format of `TimeZoneName` (registered by validation.ts). */
export const TIME_ZONE_FORMAT = 'iana-time-zone';

export const CancellationPolicyName = Type.Unsafe<CancellationPolicy>(Type.String({ enum: [...CANCELLATION_POLICIES] }));
export const TimeZoneName = Type.String({ minLength: 1, maxLength: 64, format: TIME_ZONE_FORMAT });
