// npm run compare: renders the images' comparison from reports/images.json (written by npm run test:images)
// into README.md and images/image-sizes.svg, and moves README's line links after the lines they quote.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ImagesReport } from '../test/images/support/report.ts';
import { REPORT_FILE } from '../test/images/support/report.ts';
import { renderSizeChart } from './compare/chart.ts';
import { renderComparison } from './compare/table.ts';
import { refreshLineLinks } from './readme/line-links.ts';
import { replaceSection } from './readme/markdown.ts';

export const CHART_FILE = 'images/image-sizes.svg';

const report = JSON.parse(readFileSync(REPORT_FILE, 'utf8')) as ImagesReport;
const read = (file: string) => readFileSync(file, 'utf8');

mkdirSync('images', { recursive: true });
writeFileSync(CHART_FILE, renderSizeChart(report));
const readme = refreshLineLinks(replaceSection(read('README.md'), 'compare', renderComparison(report)), read);
writeFileSync('README.md', readme);
console.log(`${CHART_FILE} and README.md updated from ${REPORT_FILE} (${report.bases.kind} bases, ${report.date.slice(0, 10)})`);
