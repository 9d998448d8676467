import { statePortContract } from '@staycar/common/testing';
import { unique } from '../support/api';
import { roomSidecarWithStream } from '../support/roomSidecar';

// The StatePort contract that services/common/test/statePort.contract.test.ts runs against the
// in-process fake, here against the real thing: room's daprd, MariaDB state with the outbox, Redis Streams.
const { sidecar, stream } = roomSidecarWithStream();

describe('the sidecar keeps the StatePort contract', () => {
  statePortContract(
    () => ({
      port: sidecar,
      publishedWith: async (marker) => (await stream.matching(marker)).map((e) => ({ type: e.type, data: e.data })),
      publishDelayMs: 3000,
    }),
    (name) => unique(`contract-${name}`),
  );
});
