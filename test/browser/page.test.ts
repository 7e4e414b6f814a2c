import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SCREENSHOT_FILE } from '../support/results.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { runAxe } from './support/axe.ts';
import { launchChromium, skipWithoutChromium } from './support/chromium.ts';
import { watchContext, type PageWatch } from './support/page-watch.ts';

const TIME = /^\d{2}:\d{2}:\d{2}$/;

/** Seconds between two HH:MM:SS times, the short way round midnight. */
function secondsApart(a: string, b: string): number {
  const seconds = (time: string) => time.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  const difference = Math.abs(seconds(a) - seconds(b));
  return Math.min(difference, 86_400 - difference);
}

// Both clocks a browser reads, wrong by the same amount, as on a machine whose system clock is off.
function skewBrowserClock(offsetMs: number): string {
  return `(() => {
    const RealDate = Date;
    const originOf = Object.getOwnPropertyDescriptor(Performance.prototype, 'timeOrigin').get;
    Object.defineProperty(Performance.prototype, 'timeOrigin', { get() { return originOf.call(this) + ${offsetMs}; } });
    globalThis.Date = class extends RealDate {
      constructor(...args) { super(...(args.length > 0 ? args : [RealDate.now() + ${offsetMs}])); }
      static now() { return RealDate.now() + ${offsetMs}; }
    };
  })();`;
}

describe.skipIf(skipWithoutChromium())('the page in a real browser (Chromium)', () => {
  let browser: Browser | undefined;
  let server: RunningServer | undefined;
  let base: string;
  let context: BrowserContext | undefined;

  // One after the other, so a missing browser fails before a server process exists to be left behind.
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startServer();
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function open(
    options: BrowserContextOptions = {},
    initScript?: string,
  ): Promise<{ page: Page; watch: PageWatch }> {
    if (browser === undefined) throw new Error('no browser: beforeAll failed');
    context = await browser.newContext(options);
    const watch = await watchContext(context);
    if (initScript !== undefined) await context.addInitScript(initScript);
    const page = await context.newPage();
    const response = await page.goto(base);
    expect(response?.status()).toBe(200);
    return { page, watch };
  }

  function expectClean(watch: PageWatch): void {
    expect(watch.problems).toEqual([]);
    expect(watch.cspViolations).toEqual([]);
  }

  async function serverTime(): Promise<{ time: string; epochMs: number }> {
    return (await (await fetch(`${base}/api/time`)).json()) as { time: string; epochMs: number };
  }

  async function nextTick(page: Page): Promise<string> {
    const clock = page.locator('#clock');
    const before = await clock.textContent();
    // Polled from here: page.waitForFunction with a string predicate needs eval, which the CSP forbids. It
    // ticks every second; 10 s only ends the wait for a clock that never ticks, on however busy a machine.
    await expect.poll(() => clock.textContent(), { timeout: 10_000, interval: 50 }).not.toBe(before);
    return (await clock.textContent()) ?? '';
  }

  it('shows the heading and a ticking clock that agrees with the server, without console errors or CSP violations', async () => {
    const { page, watch } = await open();
    expect(await page.title()).toBe('Current time in Moscow');
    expect(await page.locator('h1').textContent()).toBe('Current time in Moscow');
    expect(await page.locator('#clock').textContent()).toMatch(TIME);

    const ticked = await nextTick(page);
    const server = await serverTime();
    expect(ticked).toMatch(TIME);
    expect(secondsApart(ticked, server.time)).toBeLessThanOrEqual(2);
    // The machine-readable datetime ticks along with the text.
    const datetime = (await page.locator('#clock').getAttribute('datetime')) ?? '';
    expect(datetime).toMatch(/\+03:00$/);
    expect(Math.abs(Date.parse(datetime) - server.epochMs)).toBeLessThan(2_000);
    await expect.poll(() => watch.loaded.some((url) => url.includes('favicon'))).toBe(true);
    expectClean(watch);
  });

  it('notices a CSP violation when there is one, so the check above is not vacuous', async () => {
    const { page, watch } = await open();
    await expect(page.addScriptTag({ content: 'document.title = "injected"' })).rejects.toThrow(
      /Content Security Policy/,
    );
    await expect
      .poll(() => watch.cspViolations.map((line) => line.split(':')[0]))
      .toEqual(expect.arrayContaining(['event', 'console']));
    expect(await page.title()).toBe('Current time in Moscow');
  });

  it("shows the server's time when the browser's clock is three hours off", async () => {
    const offsetMs = -(3 * 3_600_000 + 17_000);
    const { page, watch } = await open({}, skewBrowserClock(offsetMs));
    expect((await page.evaluate<number>('Date.now()')) - Date.now()).toBeLessThan(offsetMs + 5_000);

    const ticked = await nextTick(page);
    expect(secondsApart(ticked, (await serverTime()).time)).toBeLessThanOrEqual(2);
    expectClean(watch);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical accessibility violations (axe-core, ${colorScheme} scheme)`, async () => {
      const { page, watch } = await open({ colorScheme });
      await nextTick(page);
      const violations = await runAxe(page);
      const minor = violations.filter((violation) => !['serious', 'critical'].includes(violation.impact));
      if (minor.length > 0) console.log(`axe, minor (${colorScheme}):`, minor);
      expect(violations.filter((violation) => !minor.includes(violation))).toEqual([]);
      expectClean(watch);
    });
  }

  it('works with JavaScript disabled: the time is there, and a refresh shows a later one', async () => {
    const { page, watch } = await open({ javaScriptEnabled: false });
    const clock = page.locator('#clock');
    const first = (await clock.textContent()) ?? '';
    const firstAt = Date.parse((await clock.getAttribute('datetime')) ?? '');
    expect(first).toMatch(TIME);
    expect(secondsApart(first, (await serverTime()).time)).toBeLessThanOrEqual(2);

    await sleep(1_200);
    expect(await clock.textContent()).toBe(first);
    await page.reload();
    const secondAt = Date.parse((await clock.getAttribute('datetime')) ?? '');
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(1_000);
    expect(await clock.textContent()).not.toBe(first);
    expectClean(watch);
  });

  for (const [width, height] of [
    [390, 844],
    [320, 568],
  ] as const) {
    it(`reads well on a ${width}×${height} phone: no sideways scrolling, heading and time on screen`, async () => {
      const { page, watch } = await open({
        viewport: { width, height },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 3,
      });
      await nextTick(page);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
      for (const selector of ['h1', '#clock']) {
        const box = await page.locator(selector).boundingBox();
        expect(box, selector).not.toBeNull();
        expect(box?.x).toBeGreaterThanOrEqual(0);
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
        expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(height);
      }
      expectClean(watch);
    });
  }

  it(`saves a screenshot for the README to ${SCREENSHOT_FILE}`, async () => {
    const { page, watch } = await open({ viewport: { width: 1000, height: 600 } });
    await nextTick(page);
    mkdirSync(dirname(SCREENSHOT_FILE), { recursive: true });
    const png = await page.screenshot({ path: SCREENSHOT_FILE });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expectClean(watch);
  });
});
