import type { BrowserContext } from 'playwright-core';

export interface PageWatch {
  /** Console errors, uncaught exceptions, failed requests and 4xx/5xx responses, favicon included. */
  problems: string[];
  /** Content-Security-Policy violations, from the DOM event and from Chromium's console report. */
  cspViolations: string[];
  /** URLs of every response the page received in full. */
  loaded: string[];
}

// Two channels: the DOM event carries the directive and the blocked URL but needs script in the page,
// while Chromium's console report arrives even with JavaScript disabled. The init script is injected by
// the browser itself, so the CSP it watches does not block it.
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  window.reportCspViolation(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline code') + ' at ' + event.sourceFile + ':' + event.lineNumber);
});`;

/** Must run before the context opens its first page; works with JavaScript disabled too, minus the DOM event. */
export async function watchContext(context: BrowserContext): Promise<PageWatch> {
  const watch: PageWatch = { problems: [], cspViolations: [], loaded: [] };
  await context.exposeBinding('reportCspViolation', (_source, text: string) =>
    watch.cspViolations.push(`event: ${text}`),
  );
  await context.addInitScript(REPORT_CSP_VIOLATIONS);
  context.on('console', (message) => {
    if (/content security policy/i.test(message.text())) watch.cspViolations.push(`console: ${message.text()}`);
    else if (message.type() === 'error')
      watch.problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  context.on('weberror', (error) => watch.problems.push(`uncaught: ${error.error().message}`));
  context.on('requestfailed', (request) =>
    watch.problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`),
  );
  context.on('requestfinished', (request) => watch.loaded.push(request.url()));
  context.on('response', (response) => {
    if (response.status() >= 400) watch.problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return watch;
}
