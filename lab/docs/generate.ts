// npm run compare: renders every generated section of the README and docs/ (the images' comparison, the
// stand-in notes, the performance figures) from the committed reports, draws images/image-sizes.svg, and
// moves the README's line links after the lines they quote.
//   npm run compare -- --update   first copies the fresh results the tests left in test-results/ over the
//                                 committed ones (lab/reports/images.json, images/page.png)
import { readFileSync, writeFileSync } from 'node:fs';
import { CHART_FILE, renderSizeChart } from './chart.ts';
import { takeFreshResults } from './fresh-results.ts';
import { refreshLineLinks } from './line-links.ts';
import { readReports, writeGeneratedSections } from './sections.ts';

if (process.argv.includes('--update')) for (const line of takeFreshResults()) console.log(line);

const reports = readReports();
writeFileSync(CHART_FILE, renderSizeChart(reports.images));
const written = writeGeneratedSections(reports);
writeFileSync(
  'README.md',
  refreshLineLinks(readFileSync('README.md', 'utf8'), (file) => readFileSync(file, 'utf8')),
);
console.log(
  `${[CHART_FILE, ...written].join(', ')}: rendered from the reports (${reports.images.bases.kind} bases, ` +
    `images ${reports.images.date.slice(0, 10)}, bench ${reports.bench.machine.date.slice(0, 10)})`,
);
