import { describe, expect, it } from 'vitest';
import { cityOf, createZonedTimeFormatter, DISPLAY_FORMAT } from '../../src/time.ts';

describe('createZonedTimeFormatter', () => {
  it('renders Moscow time with its +03:00 offset', () => {
    const now = createZonedTimeFormatter('Europe/Moscow')(Date.UTC(2026, 10, 26, 22, 30, 4, 123));
    expect(now).toEqual({
      timeZone: 'Europe/Moscow',
      offset: '+03:00',
      epochMs: Date.UTC(2026, 10, 26, 22, 30, 4, 123),
      iso: '2026-11-27T01:30:04.123+03:00',
      time: '01:30:04',
      date: 'Friday, 27 November 2026',
      display: 'Friday, 27 November 2026, 01:30:04',
    });
  });

  it('writes midnight as 00, not 24', () => {
    expect(createZonedTimeFormatter('Europe/Moscow')(Date.UTC(2026, 0, 1, 21, 0, 0)).time).toBe('00:00:00');
  });

  it('follows daylight saving in zones that have it', () => {
    const format = createZonedTimeFormatter('Europe/Berlin');
    expect(format(Date.UTC(2026, 0, 15, 12)).iso).toBe('2026-01-15T13:00:00.000+01:00');
    expect(format(Date.UTC(2026, 6, 15, 12)).iso).toBe('2026-07-15T14:00:00.000+02:00');
  });

  it('handles negative, fractional and zero offsets', () => {
    expect(createZonedTimeFormatter('America/St_Johns')(Date.UTC(2026, 0, 1, 12)).iso).toBe(
      '2026-01-01T08:30:00.000-03:30',
    );
    expect(createZonedTimeFormatter('Asia/Kathmandu')(Date.UTC(2026, 0, 1, 12)).offset).toBe('+05:45');
    expect(createZonedTimeFormatter('UTC')(Date.UTC(2026, 0, 1, 12)).iso).toBe('2026-01-01T12:00:00.000+00:00');
  });

  // What the formatter gave before it kept its last second: every field straight from Intl.
  function formattedAfresh(timeZone: string, epochMs: number) {
    const format = new Intl.DateTimeFormat('en-GB', { ...DISPLAY_FORMAT, timeZone });
    const part = Object.fromEntries(format.formatToParts(epochMs).map(({ type, value }) => [type, value]));
    const offset = part.timeZoneName === 'GMT' ? '+00:00' : String(part.timeZoneName).slice(3);
    const sign = offset.startsWith('-') ? -1 : 1;
    const [hours = 0, minutes = 0] = offset.slice(1).split(':').map(Number);
    const shifted = new Date(epochMs + sign * (hours * 60 + minutes) * 60_000);
    return {
      offset,
      iso: `${shifted.toISOString().slice(0, -1)}${offset}`,
      time: `${part.hour}:${part.minute}:${part.second}`,
      date: `${part.weekday}, ${part.day} ${part.month} ${part.year}`,
    };
  }

  it('keeps its last second, and is still right at every millisecond around a change of second and offset', () => {
    // Berlin leaves summer time at 01:00 UTC on 25 October 2026: local 03:00 becomes 02:00 again.
    const change = Date.UTC(2026, 9, 25, 1, 0, 0);
    const format = createZonedTimeFormatter('Europe/Berlin');
    for (const epochMs of [change - 1001, change - 1000, change - 1, change, change + 1, change + 999, change + 1000]) {
      expect(format(epochMs), String(epochMs)).toMatchObject(formattedAfresh('Europe/Berlin', epochMs));
    }
    // Back in time, too, and before 1970, where a second's milliseconds count from below.
    for (const epochMs of [change, change - 1, -1, -1000, -1001, 0]) {
      expect(format(epochMs), String(epochMs)).toMatchObject(formattedAfresh('Europe/Berlin', epochMs));
    }
  });

  it('writes whole milliseconds for a fractional instant, as the browser clock gives (performance.timeOrigin)', () => {
    const format = createZonedTimeFormatter('Europe/Moscow');
    const { iso } = format(Date.UTC(2026, 10, 26, 22, 30, 4, 123) + 0.456);
    expect(iso).toBe('2026-11-27T01:30:04.123+03:00');
    expect(Date.parse(iso)).toBe(Date.UTC(2026, 10, 26, 22, 30, 4, 123));
    expect(format(-0.5).iso).toBe(formattedAfresh('Europe/Moscow', -1).iso);
  });

  it('shows a later time for a later instant', () => {
    const format = createZonedTimeFormatter('Europe/Moscow');
    const start = Date.UTC(2026, 10, 26, 22, 30, 4);
    expect(format(start + 1000).time).toBe('01:30:05');
    expect(format(start + 3_600_000).time).toBe('02:30:04');
  });
});

describe('cityOf', () => {
  it.each([
    ['Europe/Moscow', 'Moscow'],
    ['America/New_York', 'New York'],
    ['America/Argentina/Buenos_Aires', 'Buenos Aires'],
    ['UTC', 'UTC'],
  ])('%s → %s', (zone, city) => {
    expect(cityOf(zone)).toBe(city);
  });
});
