// `npm start`'s supervisor (scripts/lib/supervisor.mjs): what it does when an app or a sidecar
// dies, against stand-in processes (the policy, not the processes, is under test here; the e2e
// SIGKILL drill runs real ones through `svc:start`).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const DRIVER = path.join(__dirname, 'throwaway.mjs');

interface StandIn {
  appID: string;
  pids: { appPid: number; daprdPid: number; stopping?: boolean } | null;
  alive: number[];
  crashing?: boolean;
}

async function superviseStandIns(apps: StandIn[], ms = 600): Promise<{ said: string[]; starts: string[] }> {
  const { stdout } = await promisify(execFile)('node', [DRIVER, 'supervise', JSON.stringify({ apps, ms })], { timeout: 30_000 });
  const answer = JSON.parse(stdout.trim().split('\n').at(-1)!) as { ok: boolean; result: { said: string[]; starts: string[] } };
  expect(answer.ok).toBe(true);
  return answer.result;
}

describe('npm start when a child dies', () => {
  it('when an app dies on its own, then only its dead half is started again, once', async () => {
    const { said, starts } = await superviseStandIns([{ appID: 'room', pids: { appPid: 1, daprdPid: 2 }, alive: [2] }]);
    expect(starts).toEqual(['room']);
    expect(said).toEqual([expect.stringMatching(/^✖ room's app exited; starting it again/), '↻ room: started its app again']);
  });

  it('when it keeps crashing, then it is started again with growing pauses and left down after 5 crashes, said plainly', async () => {
    const { said, starts } = await superviseStandIns(
      [{ appID: 'payment', pids: { appPid: 1, daprdPid: 2 }, alive: [], crashing: true }],
      1500,
    );
    expect(starts).toEqual(Array(5).fill('payment'));
    expect(said.at(-1)).toMatch(/payment's app and sidecar exited again: 6 crashes in 5 minutes, left down\. Read .*payment\.log/);
  });

  it('when a service was stopped on purpose (svc:stop: pid file gone or marked stopping), then it is left alone', async () => {
    const { said, starts } = await superviseStandIns([
      { appID: 'message', pids: null, alive: [] },
      { appID: 'viewpage', pids: { appPid: 1, daprdPid: 2, stopping: true }, alive: [] },
    ]);
    expect(starts).toEqual([]);
    expect(said).toEqual([]);
  });
});
