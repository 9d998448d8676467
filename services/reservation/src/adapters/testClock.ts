import fs from 'node:fs';
import type { Logger } from '@staycar/common';

/**
 * Tests only: the stays-end job's clock read from a file (STAYCAR_TEST_CLOCK_FILE), so an
 * end-to-end test can move the job's "now" without any public route. Read on every call (a few
 * bytes): the file holds an ISO instant with its offset (`2026-12-02T00:00:30+09:00`: that instant,
 * frozen) or a signed number of seconds (`+90000`: the real clock moved by that much). No file, an
 * empty one, or content that is neither: the real clock (the last logged once per distinct content).
 * main.ts wires it only when the variable is set — never in a production configuration.
 */
export function fileClock(path: string, logger: Logger, real: () => Date = () => new Date()): () => Date {
  let reported = '';
  return () => {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8').trim();
    } catch {
      return real();
    }
    const instant = clockReading(text, real);
    if (instant) return instant;
    if (text !== '' && text !== reported) {
      reported = text;
      logger.warn(
        { path, content: text.slice(0, 100) },
        'test clock file holds neither an ISO instant nor an offset in seconds; using the real clock',
      );
    }
    return real();
  };
}

/** What a clock file's content means: an instant, the real clock moved by an offset, or nothing (undefined). */
export function clockReading(text: string, real: () => Date): Date | undefined {
  if (/^[+-]\d{1,10}$/.test(text)) return new Date(real().getTime() + Number(text) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
