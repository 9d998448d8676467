/**
 * What the payment use cases need from outside: the state store (payments and their events through
 * the outbox). Dapr-backed in adapters/ (store failures answered as TRY_LATER there).
 */
export type { StatePort } from '@staycar/common';
