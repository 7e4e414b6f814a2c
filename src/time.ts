/** Milliseconds since the Unix epoch; injected so tests control time without sleeping. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export interface ZonedTime {
  timeZone: string;
  /** "+03:00"; the offset in force at this instant, so it follows daylight saving. */
  offset: string;
  epochMs: number;
  /** ISO 8601 with the zone's offset: "2026-11-27T01:30:04.123+03:00". */
  iso: string;
  /** "01:30:04" */
  time: string;
  /** "Friday, 27 November 2026" */
  date: string;
  /** The line the page shows: "Friday, 27 November 2026, 01:30:04". */
  display: string;
}

export type ZonedTimeFormatter = (epochMs: number) => ZonedTime;

/** "Europe/Moscow" → "Moscow", "America/Argentina/Buenos_Aires" → "Buenos Aires", "UTC" → "UTC". */
export function cityOf(timeZone: string): string {
  return (timeZone.split('/').at(-1) ?? timeZone).replaceAll('_', ' ');
}

// Intl writes the offset as "GMT+03:00", or plain "GMT" when it is zero.
function offsetFrom(gmtOffset: string): string {
  return gmtOffset === 'GMT' ? '+00:00' : gmtOffset.slice(3);
}

function offsetMs(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours = 0, minutes = 0] = offset.slice(1).split(':').map(Number);
  return sign * (hours * 60 + minutes) * 60_000;
}

/** How the page shows the time, in every zone; the browser's clock script is built from this module too. */
export const DISPLAY_FORMAT = {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
} as const satisfies Intl.DateTimeFormatOptions;

/** Everything shown for one whole second, which every instant within it shares. */
interface Second {
  epochSecond: number;
  offset: string;
  time: string;
  date: string;
  /** "2026-11-27T01:30:04": the local time, for the ISO string, before its milliseconds. */
  localIso: string;
}

/**
 * Builds the formatter once per zone: constructing Intl.DateTimeFormat costs far more than using it. It keeps
 * the last second it formatted, as every answer within that second shows the same time, date and offset (a
 * zone's offset changes on whole seconds): formatToParts was a twentieth of a request's time, and most of its
 * garbage.
 */
export function createZonedTimeFormatter(timeZone: string): ZonedTimeFormatter {
  const format = new Intl.DateTimeFormat('en-GB', { ...DISPLAY_FORMAT, timeZone });
  let last: Second | undefined;
  const secondOf = (epochSecond: number): Second => {
    const part: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
    for (const { type, value } of format.formatToParts(epochSecond * 1000)) part[type] = value;
    const offset = offsetFrom(part.timeZoneName ?? 'GMT');
    const localIso = new Date(epochSecond * 1000 + offsetMs(offset)).toISOString().slice(0, 19);
    const time = `${part.hour}:${part.minute}:${part.second}`;
    const date = `${part.weekday}, ${part.day} ${part.month} ${part.year}`;
    return { epochSecond, offset, time, date, localIso };
  };
  return (epochMs) => {
    const epochSecond = Math.floor(epochMs / 1000);
    if (last?.epochSecond !== epochSecond) last = secondOf(epochSecond);
    const { offset, time, date, localIso } = last;
    // Whole milliseconds: the browser's clock (performance.timeOrigin) gives fractions, which ISO 8601's
    // three digits cannot hold.
    const iso = `${localIso}.${String(Math.floor(epochMs) - epochSecond * 1000).padStart(3, '0')}${offset}`;
    return { timeZone, offset, epochMs, iso, time, date, display: `${date}, ${time}` };
  };
}
