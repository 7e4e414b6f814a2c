// npm run docs:generate: renders every generated part of the README and docs/ (the images' comparison, the
// stand-in notes, the performance figures, the table of variables) from the committed reports and
// src/config.ts, draws images/image-sizes.svg, and moves the README's line links after the lines they quote.
//   -- --check    writes nothing: lists the files that differ from what it would write, and fails if any do
//   -- --update   first copies the fresh results the tests left in test-results/ over the committed ones
//                 (lab/reports/images.json, images/page.png)
import { writeFileSync } from 'node:fs';
import { takeFreshResults } from './fresh-results.ts';
import { REGENERATE, renderedFiles, staleFiles } from './render.ts';
import { readReports } from './sections.ts';

if (process.argv.includes('--check')) {
  const stale = staleFiles();
  if (stale.length > 0) {
    console.error(`${stale.join(', ')}: not what the generators render; run ${REGENERATE}`);
    process.exitCode = 1;
  } else {
    console.log('generated files: up to date');
  }
} else {
  if (process.argv.includes('--update')) for (const line of takeFreshResults()) console.log(line);
  const reports = readReports();
  const rendered = renderedFiles(reports);
  for (const [file, text] of rendered) writeFileSync(file, text);
  console.log(
    `${[...rendered.keys()].join(', ')}: rendered from the reports (${reports.images.bases.kind} bases, ` +
      `images ${reports.images.date.slice(0, 10)}, bench ${reports.bench.machine.date.slice(0, 10)})`,
  );
}
