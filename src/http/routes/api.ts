import type { Router } from 'express';
import type { Clock, ZonedTimeFormatter } from '../../time.ts';
import { readOnly } from '../methods.ts';
import { apiTimeBody } from '../views/api-time.ts';

export const TIME_API_PATH = '/api/time';

export function apiRoutes(router: Router, clock: Clock, formatTime: ZonedTimeFormatter): void {
  readOnly(router, TIME_API_PATH, (_req, res) => {
    res.json(apiTimeBody(formatTime(clock())));
  });
}
