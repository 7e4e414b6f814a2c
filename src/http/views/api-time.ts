import type { ZonedTime } from '../../time.ts';

/** GET /api/time's body, which res.json() serializes. */
export function apiTimeBody(now: ZonedTime) {
  return {
    zone: now.timeZone,
    offset: now.offset,
    iso: now.iso,
    epochMs: now.epochMs,
    time: now.time,
    date: now.date,
    display: now.display,
  };
}
