export * from './errors';
export * from './config';
export * from './logger';
export * from './validation';
export * from './schemas';
export * from './cancellation';
export * from './requestContext';
export * from './lifecycle';
export * from './http/app';
export * from './http/subscriptions';
export * from './http/eventData';
export * from './http/params';
export * from './cursor';
export * from './dapr/errors';
export * from './dapr/sidecar';
export * from './dapr/outbox';
export * from './state/port';
export * from './state/changeState';
export * from './state/failuresAsTryLater';
export * from './dateRange';
export * from './dapr/transient';
export * from './http/outcome';
export * from './http/errorBody';
export * from './bookable/calendar';
export type {
  Calendar as StayCalendar,
  CalendarEntry as StayCalendarEntry,
  EntryStatus as StayEntryStatus,
  StayRequest,
} from './bookable/stayCalendar';
export * from './identity';
export * from './ids';
export * from './bookable/listings';
export * from './bookable/stays';
export * from './bookable/http';
export * from './metrics';
export * from './telemetry/route';
