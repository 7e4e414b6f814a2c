import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { IMAGES_RESULTS_FILE, SCREENSHOT_FILE } from '../../test/support/results.ts';
import { IMAGES_FILE } from './sections.ts';

// Tests never write tracked files: they leave their results in test-results/ (ignored by git), and
// `npm run docs:generate -- --update` is the one step that copies them over the committed ones.

export interface FreshResult {
  fresh: string;
  tracked: string;
  writtenBy: string;
}

const FRESH_RESULTS: FreshResult[] = [
  { fresh: IMAGES_RESULTS_FILE, tracked: IMAGES_FILE, writtenBy: 'npm run test:images' },
  { fresh: SCREENSHOT_FILE, tracked: 'images/page.png', writtenBy: 'npm run test:browser' },
];

/** Copies every fresh result that exists over its tracked file; returns a line for each, taken or not. */
export function takeFreshResults(results: FreshResult[] = FRESH_RESULTS): string[] {
  return results.map(({ fresh, tracked, writtenBy }) => {
    if (!existsSync(fresh)) return `${tracked}: kept (no ${fresh}; ${writtenBy} writes it)`;
    mkdirSync(dirname(tracked), { recursive: true });
    copyFileSync(fresh, tracked);
    return `${tracked}: taken from ${fresh} (${statSync(fresh).mtime.toISOString()})`;
  });
}
