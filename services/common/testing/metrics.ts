/** One sample of Prometheus's text format: `name{label="value",…} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of a metrics text (comments skipped). */
export function metricSamples(text: string): MetricSample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const brace = line.indexOf('{');
      const close = line.lastIndexOf('}');
      const name = brace === -1 ? line.split(' ')[0] : line.slice(0, brace);
      const labels = brace === -1 ? {} : Object.fromEntries([...line.slice(brace, close).matchAll(LABEL)].map(([, k, v]) => [k, v]));
      const value = Number(
        line
          .slice((brace === -1 ? name.length : close + 1) + 1)
          .trim()
          .split(' ')[0],
      );
      return { name, labels, value };
    });
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there is none). */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  return metricSamples(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
