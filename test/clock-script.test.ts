import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createZonedTimeFormatter, DISPLAY_FORMAT } from '../src/time.ts';

// public/clock.js keeps its own copy of the server's display options (it is served as written, with no
// build step). These tests run the real script against a stand-in page and prove the copy is exact: the
// options it passes to Intl, and what it renders, are the server's.
const SCRIPT = readFileSync('public/clock.js', 'utf8');

class HTMLTimeElement {
  textContent = '';
  dateTime = '';
  readonly dataset: Record<string, string>;
  constructor(dataset: Record<string, string>) {
    this.dataset = dataset;
  }
}

interface Rendered {
  options: Intl.DateTimeFormatOptions[];
  time: string;
  datetime: string;
  date: string;
}

/** Runs the script once, as the browser would on page load, with both clocks at `epochMs`. */
function runClockScript(epochMs: number, timeZone: string, script = SCRIPT): Rendered {
  const clock = new HTMLTimeElement({ epochMs: String(epochMs), timeZone });
  const dateLine = { textContent: '' };
  const options: Intl.DateTimeFormatOptions[] = [];
  const RecordingDateTimeFormat = function (locale: string, given: Intl.DateTimeFormatOptions) {
    options.push(given);
    return new Intl.DateTimeFormat(locale, given);
  };
  runInNewContext(script, {
    document: { getElementById: (id: string) => ({ clock, date: dateLine })[id] ?? null },
    HTMLTimeElement,
    performance: { getEntriesByType: () => [], timeOrigin: epochMs },
    Date: Object.assign(class extends Date {}, { now: () => epochMs }),
    Intl: { DateTimeFormat: RecordingDateTimeFormat },
    Number,
    // The next tick is the browser's business; one render is what is compared.
    setTimeout: () => 0,
  });
  return { options, time: clock.textContent, datetime: clock.dateTime, date: dateLine.textContent };
}

describe('the clock script (public/clock.js)', () => {
  it("formats with the server's display options, in the page's zone", () => {
    const { options } = runClockScript(Date.UTC(2026, 10, 26, 22, 30, 4, 123), 'Europe/Moscow');
    expect(options).toEqual([{ ...DISPLAY_FORMAT, timeZone: 'Europe/Moscow' }]);
  });

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

  it('notices a copy that drifts from the server', () => {
    const drifted = SCRIPT.replace("hourCycle: 'h23'", "hourCycle: 'h12'");
    expect(drifted).not.toBe(SCRIPT);
    const epochMs = Date.UTC(2026, 10, 27, 10, 30, 4, 123); // 13:30:04 in Moscow, 01:30:04 on a 12-hour clock
    const rendered = runClockScript(epochMs, 'Europe/Moscow', drifted);
    expect(rendered.options).not.toEqual([{ ...DISPLAY_FORMAT, timeZone: 'Europe/Moscow' }]);
    expect(rendered.time).not.toBe(createZonedTimeFormatter('Europe/Moscow')(epochMs).time);
  });
});
