/**
 * The local cluster from the k8s suites: kubectl with the cluster's admin kubeconfig (paths set by
 * scripts/cluster/test-k8s.mjs), and a constant load through the gateway that counts its answers.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Api } from '../../support/api';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const KUBECTL = process.env.STAYCAR_KUBECTL ?? path.join(ROOT, '.data', 'cluster', 'bin', 'kubectl');
const KUBECONFIG = process.env.STAYCAR_KUBECONFIG ?? path.join(ROOT, '.data', 'cluster', 'pki', 'admin.kubeconfig');
export const NAMESPACE = 'staycar';
const run = promisify(execFile);

/** kubectl in namespace staycar; answers stdout, throws with stderr on failure. */
export async function kubectl(args: string[], input?: string): Promise<string> {
  const child = run(KUBECTL, ['--kubeconfig', KUBECONFIG, '-n', NAMESPACE, ...args], { maxBuffer: 64 << 20, timeout: 900_000 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  const { stdout } = await child;
  return stdout;
}

/** Parsed `kubectl get -o json`. */
export async function getJson<T = { items: Array<Record<string, any>> }>(args: string[]): Promise<T> {
  return JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as T;
}

/** Names of the Ready pods of an app. */
export async function readyPods(app: string): Promise<string[]> {
  const pods = await getJson(['pods', '-l', `app.kubernetes.io/name=${app}`]);
  return pods.items
    .filter((p) => !p.metadata.deletionTimestamp && (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.metadata.name as string);
}

export interface LoadFigures {
  requests: number;
  ok: number;
  failed: number;
  rateLimited: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
}

/**
 * Calls `route` with `workers` concurrent clients (round-robin over `apis`) until stop() is called;
 * a failure is any answer ≥ 500 or a broken connection. 429s are counted apart (the gateway's
 * per-caller limits, not the rollout).
 */
export function constantLoad(apis: Api[], route: () => string, workers: number): { stop: () => Promise<LoadFigures> } {
  let running = true;
  const started = Date.now();
  const figures = { requests: 0, ok: 0, failed: 0, rateLimited: 0, statuses: {} as Record<string, number> };
  const worker = async (i: number) => {
    const api = apis[i % apis.length];
    while (running) {
      let status = 'error';
      try {
        status = String((await api('GET', route())).status);
      } catch {
        /* a broken connection counts as a failure */
      }
      figures.requests++;
      figures.statuses[status] = (figures.statuses[status] ?? 0) + 1;
      if (status === '429') figures.rateLimited++;
      else if (status === 'error' || Number(status) >= 500) figures.failed++;
      else figures.ok++;
    }
  };
  const all = Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  return {
    stop: async () => {
      running = false;
      await all;
      const seconds = (Date.now() - started) / 1000;
      return { ...figures, seconds: Math.round(seconds), perSecond: Math.round(figures.requests / seconds) };
    },
  };
}

/** Prints a drill's figures and keeps them in .data/cluster/k8s-figures.json (for the README). */
export function report(drill: string, figures: Record<string, unknown>): void {
  process.stdout.write(`\n[k8s drill] ${drill}: ${JSON.stringify(figures)}\n`);
  const file = path.join(ROOT, '.data', 'cluster', 'k8s-figures.json');
  const all = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all[drill] = { ...figures, at: new Date().toISOString() };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
