import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createZonedTimeFormatter } from '../../src/time.ts';

// The clock script as the browser gets it: public/clock.ts bundled with src/time.ts (npm run build). These
// tests run it against a stand-in page: what it renders on load is what the server rendered.
const SCRIPT = readFileSync('dist/public/clock.js', 'utf8');

class HTMLTimeElement {
  textContent = '';
  dateTime = '';
  readonly dataset: Record<string, string>;
  constructor(dataset: Record<string, string>) {
    this.dataset = dataset;
  }
}

interface Rendered {
  time: string;
  datetime: string;
  date: string;
  nextTickMs: number | undefined;
}

/** Runs the script once, as the browser would on page load: the server rendered at `serverMs`, the browser's clock says `browserMs`. */
function runClockScript(serverMs: number, timeZone: string, browserMs = serverMs): Rendered {
  const clock = new HTMLTimeElement({ epochMs: String(serverMs), timeZone });
  const dateLine = { textContent: '' };
  let nextTickMs: number | undefined;
  runInNewContext(SCRIPT, {
    document: { getElementById: (id: string) => ({ clock, date: dateLine })[id] ?? null },
    HTMLTimeElement,
    performance: { getEntriesByType: () => [], timeOrigin: browserMs },
    Date: Object.assign(class extends Date {}, { now: () => browserMs }),
    Intl,
    Number,
    // The next tick is the browser's business; one render is what is compared.
    setTimeout: (_callback: unknown, ms: number) => {
      nextTickMs = ms;
    },
  });
  return { time: clock.textContent, datetime: clock.dateTime, date: dateLine.textContent, nextTickMs };
}

describe('the clock script (public/clock.ts, as built)', () => {
  it.each([
    ['Europe/Moscow', Date.UTC(2026, 10, 26, 22, 30, 4, 123)],
    ['America/New_York', Date.UTC(2026, 6, 4, 3, 59, 59, 999)],
    ['Asia/Kolkata', Date.UTC(2026, 0, 1, 0, 0, 0, 0)],
    ['UTC', Date.UTC(2026, 1, 28, 23, 59, 59, 500)],
  ])('renders in %s exactly what the server renders', (timeZone, epochMs) => {
    const server = createZonedTimeFormatter(timeZone)(epochMs);
    expect(runClockScript(epochMs, timeZone)).toMatchObject({
      time: server.time,
      datetime: server.iso,
      date: server.date,
    });
  });

  it("shows the server's time when the browser's clock is off, and wakes just after the next second", () => {
    const serverMs = Date.UTC(2026, 10, 26, 22, 30, 4, 123);
    const rendered = runClockScript(serverMs, 'Europe/Moscow', serverMs - 3 * 60 * 60 * 1000);
    expect(rendered).toEqual({
      time: '01:30:04',
      datetime: '2026-11-27T01:30:04.123+03:00',
      date: 'Friday, 27 November 2026',
      nextTickMs: 887,
    });
  });
});
