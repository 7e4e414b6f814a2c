// Every generated part of the README and docs/: where it lives and what renders it. npm run docs:generate
// writes them (npm run bench runs it after a run); lab/docs/generated.test.ts checks each is what its report renders to (the
// table of variables is rendered from src/config.ts's own table).
import { readFileSync } from 'node:fs';
import { renderBenchSection, renderBenchSummary } from './bench-section.ts';
import { REPORT_FILE as BENCH_FILE, type BenchReport } from '../bench/report.ts';
import { renderComparison, renderStandInNotes } from './table.ts';
import type { ImagesReport } from '../../test/images/support/report.ts';
import { renderVariables } from './variables.ts';
import { renderFlagsSection } from './flags-section.ts';
import { FLAGS_FILE, type FlagsReport } from '../bench/flags-report.ts';

/** The committed image report: the image suite's results, taken in by npm run docs:generate -- --update. */
export const IMAGES_FILE = 'lab/reports/images.json';

export interface Reports {
  images: ImagesReport;
  bench: BenchReport;
  flags: FlagsReport;
}

export interface GeneratedSection {
  file: string;
  /** The name in its `<!-- name:start -->` … `<!-- name:end -->` markers. */
  name: string;
  render: (reports: Reports) => string;
}

export const GENERATED_SECTIONS: GeneratedSection[] = [
  { file: 'docs/operations.md', name: 'variables', render: () => renderVariables() },
  { file: 'README.md', name: 'compare', render: ({ images }) => renderComparison(images) },
  { file: 'docs/performance.md', name: 'bench-summary', render: ({ bench }) => renderBenchSummary(bench) },
  { file: 'docs/performance.md', name: 'bench', render: ({ bench }) => renderBenchSection(bench) },
  {
    file: 'docs/performance.md',
    name: 'flags',
    render: ({ flags, bench }) => renderFlagsSection(flags, bench.connectionCost.healthProbeMiB),
  },
  { file: 'docs/without-registry.md', name: 'standins', render: ({ images }) => renderStandInNotes(images) },
];

export function readReports(): Reports {
  return {
    images: JSON.parse(readFileSync(IMAGES_FILE, 'utf8')) as ImagesReport,
    bench: JSON.parse(readFileSync(BENCH_FILE, 'utf8')) as BenchReport,
    flags: JSON.parse(readFileSync(FLAGS_FILE, 'utf8')) as FlagsReport,
  };
}
