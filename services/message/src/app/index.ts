import type { MessageDeps } from './deps';
import { listMessages, type ListMessages } from './list';
import { recordMessage, type RecordMessage } from './record';
import { undeliveredRetries, type UndeliveredRetries } from './retryUndelivered';

export type { MessageDeps } from './deps';
export type { MessagePage, MessageQuery, MessageScope } from './list';

/** The message service's use cases over its ports. */
export interface MessageUseCases {
  record: RecordMessage;
  list: ListMessages;
  retries: UndeliveredRetries;
}

export function messageUseCases(deps: MessageDeps & { cityName: string }): MessageUseCases {
  const retries = undeliveredRetries(deps);
  return { record: recordMessage(deps, retries), list: listMessages(deps.store), retries };
}
