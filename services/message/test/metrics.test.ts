import pino from 'pino';
import { metricsRegistry } from '@staycar/common';
import { metricSum } from '@staycar/common/testing';
import { messageMetrics } from '../src/adapters/metrics';
import { messageUseCases } from '../src/app';
import type { MessageBinding, MessageMetrics } from '../src/ports';
import type { Message, MessageEventData } from '../src/domain/messages';
import { MemoryMessageStore } from './support/memoryMessageStore';

const logger = pino({ level: 'silent' });
const data = (reservationId: string): MessageEventData => ({
  reservationId,
  guestId: 'guest-1',
  roomId: 'room-1',
  roomName: 'Ocean view',
  city: 'Busan',
  checkIn: '2030-01-02',
  checkOut: '2030-01-04',
  amount: 200000,
  currency: 'KRW',
});

class Binding implements MessageBinding {
  failing = false;
  async send(_message: Message): Promise<void> {
    if (this.failing) throw new Error('binding down');
  }
}

function setup() {
  const counted: string[] = [];
  const metrics: MessageMetrics = {
    deliveryTried: (result) => void counted.push(`tried ${result}`),
    storedUndelivered: () => void counted.push('stored undelivered'),
    undeliveredLeft: (count) => void counted.push(`left ${count}`),
  };
  const binding = new Binding();
  const useCases = messageUseCases({
    store: new MemoryMessageStore(),
    binding,
    cityName: 'Seoul',
    logger,
    clock: () => new Date(),
    metrics,
  });
  return { counted, binding, useCases };
}

describe('what message delivery counts', () => {
  it('when the binding fails, then the try failed and the message is counted undelivered; the sweep that sends it leaves 0', async () => {
    const { counted, binding, useCases } = setup();
    binding.failing = true;
    await useCases.record('ReservationConfirmed', data('r-1'));
    expect(counted.slice(0, 2)).toEqual(['tried failed', 'stored undelivered']);
    await useCases.retries.retryNow();
    binding.failing = false;
    await useCases.retries.retryNow();
    expect(counted.slice(-2)).toEqual(['tried sent', 'left 0']);
    expect(counted).toContain('left 1');
  });

  it('when the binding works, then one successful try and nothing undelivered', async () => {
    const { counted, useCases } = setup();
    await useCases.record('ReservationConfirmed', data('r-2'));
    expect(counted.filter((c) => c.startsWith('tried') || c.startsWith('stored'))).toEqual(['tried sent']);
  });
});

describe('messageMetrics (the Prometheus adapter)', () => {
  it('when counted, then deliveries by result, the undelivered total and the backlog gauge move', async () => {
    const metrics = messageMetrics();
    const read = async (name: string, labels: Record<string, string> = {}) => metricSum(await metricsRegistry.metrics(), name, labels);
    const failed = await read('staycar_message_deliveries_total', { result: 'failed' });
    const undelivered = await read('staycar_messages_undelivered_total');
    metrics.deliveryTried('failed');
    metrics.storedUndelivered();
    metrics.undeliveredLeft(7);
    expect(await read('staycar_message_deliveries_total', { result: 'failed' })).toBe(failed + 1);
    expect(await read('staycar_messages_undelivered_total')).toBe(undelivered + 1);
    expect(await read('staycar_messages_undelivered')).toBe(7);
  });
});
