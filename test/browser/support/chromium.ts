import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

// Debian's package by default, never a Playwright browser download (CI machines here reach no browser
// mirror); CHROMIUM_PATH names another Chromium-based browser, such as the Google Chrome of GitHub's runners.
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the networking flags Chromium keeps dialling Google services and logs every refused connection.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const browserRequired = process.env.REQUIRE_BROWSER === '1';
const chromiumMissing = !existsSync(CHROMIUM_PATH);

/** True when the browser tests should be skipped; says why, once, on stdout. */
export function skipWithoutChromium(): boolean {
  if (!chromiumMissing || browserRequired) return false;
  process.stdout.write(
    `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH; REQUIRE_BROWSER=1 makes this an error)\n`,
  );
  return true;
}

export async function launchChromium(): Promise<Browser> {
  if (chromiumMissing) throw new Error(`REQUIRE_BROWSER=1, but there is no Chromium at ${CHROMIUM_PATH}`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}
