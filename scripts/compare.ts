// npm run compare: renders the images' comparison from reports/images.json (written by npm run test:images)
// into README.md and images/image-sizes.svg, the performance section from reports/bench.json (written by
// npm run bench), and moves README's line links after the lines they quote.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ImagesReport } from './images/report.ts';
import { renderBenchSection } from './bench/readme.ts';
import { REPORT_FILE as BENCH_FILE, type BenchReport } from './bench/report.ts';
import { REPORT_FILE } from './images/report.ts';
import { CHART_FILE, renderSizeChart } from './compare/chart.ts';
import { renderComparison } from './compare/table.ts';
import { refreshLineLinks } from './readme/line-links.ts';
import { replaceSection } from './readme/markdown.ts';

const report = JSON.parse(readFileSync(REPORT_FILE, 'utf8')) as ImagesReport;
const read = (file: string) => readFileSync(file, 'utf8');

mkdirSync('images', { recursive: true });
writeFileSync(CHART_FILE, renderSizeChart(report));
let readme = replaceSection(read('README.md'), 'compare', renderComparison(report));
if (existsSync(BENCH_FILE))
  readme = replaceSection(readme, 'bench', renderBenchSection(JSON.parse(read(BENCH_FILE)) as BenchReport));
readme = refreshLineLinks(readme, read);
writeFileSync('README.md', readme);
console.log(
  `${CHART_FILE} and README.md updated from ${REPORT_FILE} (${report.bases.kind} bases, ${report.date.slice(0, 10)})`,
);
