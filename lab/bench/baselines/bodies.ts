import { apiTimeBody } from '../../../src/http/views/api-time.ts';
import { renderTimePage } from '../../../src/http/views/page.ts';
import { createZonedTimeFormatter } from '../../../src/time.ts';

// The baselines build each body with the app's own code, so a ratio measures what the app adds around
// the body (Express, helmet, request logging), not the cost of formatting the time.
const formatTime = createZonedTimeFormatter('Europe/Moscow');
const PAGE_LINKS = {
  stylesheet: '/static/style.0123456789.css',
  icon: '/static/favicon.0123456789.svg',
  script: '/static/clock.0123456789.js',
  json: '/api/time',
};

export function timeJson(): string {
  return JSON.stringify(apiTimeBody(formatTime(Date.now())));
}

export function timePage(): string {
  return renderTimePage(formatTime(Date.now()), PAGE_LINKS);
}

export function listenAddress(): { port: number; host: string } {
  return { port: Number(process.env.PORT ?? 5000), host: process.env.HOST ?? '127.0.0.1' };
}
