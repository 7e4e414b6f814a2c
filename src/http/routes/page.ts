import type { Router } from 'express';
import type { Clock, ZonedTimeFormatter } from '../../time.ts';
import { readOnly } from '../methods.ts';
import { renderTimePage } from '../views/page.ts';
import { TIME_API_PATH } from './api.ts';
import type { StaticAssets } from './static.ts';

export function pageRoutes(router: Router, clock: Clock, formatTime: ZonedTimeFormatter, assets: StaticAssets): void {
  const links = {
    stylesheet: assets.url('style.css'),
    icon: assets.url('favicon.svg'),
    script: assets.url('clock.js'),
    json: TIME_API_PATH,
  };
  readOnly(router, '/', (_req, res) => {
    res.type('html').send(renderTimePage(formatTime(clock()), links));
  });
}
