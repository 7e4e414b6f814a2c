import { cityOf, type ZonedTime } from '../../time.ts';
import { escapeHtml, renderLayout } from './html.ts';

/** Where the page links to: its hashed assets, and the same time as JSON. */
export interface PageLinks {
  stylesheet: string;
  icon: string;
  script: string;
  json: string;
}

/** The clock page, complete without JavaScript; the script only keeps the rendered time ticking. */
export function renderTimePage(now: ZonedTime, { json, ...assets }: PageLinks): string {
  const title = `Current time in ${cityOf(now.timeZone)}`;
  const zone = `${now.timeZone} (UTC${now.offset})`;
  const body = `<h1>${escapeHtml(title)}</h1>
<p class="clock"><time id="clock" datetime="${escapeHtml(now.iso)}" data-epoch-ms="${now.epochMs}" data-time-zone="${escapeHtml(now.timeZone)}">${escapeHtml(now.time)}</time></p>
<p class="date" id="date">${escapeHtml(now.date)}</p>
<p class="zone">Time zone: <span id="zone">${escapeHtml(zone)}</span></p>
<p class="hint">Rendered by the server; <a href="${escapeHtml(json)}">also as JSON</a>.</p>`;
  return renderLayout({ title, ...assets, body });
}
