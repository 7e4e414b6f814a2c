import type { Router } from 'express';
import { readOnly } from '../http/methods.ts';
import type { Clock, ZonedTimeFormatter } from '../time.ts';

export function apiRoutes(router: Router, clock: Clock, formatTime: ZonedTimeFormatter): void {
  readOnly(router, '/api/time', (_req, res) => {
    const now = formatTime(clock());
    res.json({
      zone: now.timeZone,
      offset: now.offset,
      iso: now.iso,
      epochMs: now.epochMs,
      time: now.time,
      date: now.date,
      display: now.display,
    });
  });
}
