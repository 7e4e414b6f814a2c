import { setTimeout as sleep } from 'node:timers/promises';
import type { Router } from 'express';
import { readOnly } from '../http/methods.ts';
import type { Clock, ZonedTimeFormatter } from '../time.ts';

export function apiRoutes(
  router: Router,
  clock: Clock,
  formatTime: ZonedTimeFormatter,
  testResponseDelayMs: number,
): void {
  readOnly(router, '/api/time', async (_req, res) => {
    if (testResponseDelayMs > 0) await sleep(testResponseDelayMs);
    const now = formatTime(clock());
    res.setHeader('Cache-Control', 'no-store');
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
