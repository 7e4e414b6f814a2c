import { escapeHtml, renderLayout } from './html.ts';

/** A bare page: it names the status and links home, and carries nothing a failing request could break. */
export function renderErrorPage(status: number, reason: string): string {
  const title = `${status} ${reason}`;
  return renderLayout({
    title,
    body: `<h1>${escapeHtml(title)}</h1>\n<p><a href="/">Back to the current time</a></p>`,
  });
}
