import type { Router } from 'express';
import type { Clock, ZonedTimeFormatter } from '../../time.ts';
import { readOnly } from '../methods.ts';
import type { StaticAssets } from '../static-assets.ts';
import { renderTimePage } from '../views/page.ts';

export function pageRoutes(router: Router, clock: Clock, formatTime: ZonedTimeFormatter, assets: StaticAssets): void {
  const pageAssets = {
    stylesheet: assets.url('style.css'),
    icon: assets.url('favicon.svg'),
    script: assets.url('clock.js'),
  };
  readOnly(router, '/', (_req, res) => {
    res.type('html').send(renderTimePage(formatTime(clock()), pageAssets));
  });
}
