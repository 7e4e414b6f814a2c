// Every generated part of the README and docs/: where it lives and what renders it. npm run compare and
// npm run bench write them; lab/docs/generated.test.ts checks each is what its report renders to (the
// table of variables is rendered from src/config.ts's own table).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderBenchSection, renderBenchSummary } from './bench-section.ts';
import { REPORT_FILE as BENCH_FILE, type BenchReport } from '../bench/report.ts';
import { renderComparison, renderStandInNotes } from './table.ts';
import type { ImagesReport } from '../../test/images/support/report.ts';
import { replaceSection } from '../lib/markdown.ts';
import { renderVariables } from './variables.ts';

/** The committed image report: the image suite's results, taken in by npm run docs:generate -- --update. */
export const IMAGES_FILE = 'lab/reports/images.json';

export interface Reports {
  images: ImagesReport;
  bench: BenchReport;
}

export interface GeneratedSection {
  file: string;
  /** The name in its `<!-- name:start -->` … `<!-- name:end -->` markers. */
  name: string;
  render: (reports: Reports) => string;
}

export const GENERATED_SECTIONS: GeneratedSection[] = [
  { file: 'README.md', name: 'variables', render: () => renderVariables() },
  { file: 'README.md', name: 'compare', render: ({ images }) => renderComparison(images) },
  { file: 'README.md', name: 'bench-summary', render: ({ bench }) => renderBenchSummary(bench) },
  { file: 'docs/performance.md', name: 'bench', render: ({ bench }) => renderBenchSection(bench) },
  { file: 'docs/without-registry.md', name: 'standins', render: ({ images }) => renderStandInNotes(images) },
];

export function readReports(): Reports {
  return {
    images: JSON.parse(readFileSync(IMAGES_FILE, 'utf8')) as ImagesReport,
    bench: JSON.parse(readFileSync(BENCH_FILE, 'utf8')) as BenchReport,
  };
}

/** Rewrites every generated section from the reports; returns the files it wrote. */
export function writeGeneratedSections(reports: Reports): string[] {
  const files = [...new Set(GENERATED_SECTIONS.map((section) => section.file))];
  for (const file of files) {
    let text = readFileSync(file, 'utf8');
    for (const section of GENERATED_SECTIONS.filter((entry) => entry.file === file)) {
      text = replaceSection(text, section.name, section.render(reports));
    }
    writeFileSync(file, text);
  }
  return files;
}
