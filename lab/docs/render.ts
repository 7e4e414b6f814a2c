import { readFileSync } from 'node:fs';
import { replaceSection } from '../lib/markdown.ts';
import { CHART_FILE, renderSizeChart } from './chart.ts';
import { refreshLineLinks, type ReadFile } from './line-links.ts';
import { GENERATED_SECTIONS, readReports, type Reports } from './sections.ts';

/** The command that rewrites every generated file; each guard of one names it when it fails. */
export const REGENERATE = 'npm run docs:generate';

const readText: ReadFile = (file) => readFileSync(file, 'utf8');

/**
 * Every file the generators write, with the text they would write now: the chart, each file holding
 * generated sections, and the README with its line links moved after the lines they quote.
 */
export function renderedFiles(reports: Reports = readReports(), read: ReadFile = readText): Map<string, string> {
  const files = new Map<string, string>([[CHART_FILE, renderSizeChart(reports.images)]]);
  const current = (file: string) => files.get(file) ?? read(file);
  for (const section of GENERATED_SECTIONS) {
    files.set(section.file, replaceSection(current(section.file), section.name, section.render(reports)));
  }
  files.set('README.md', refreshLineLinks(current('README.md'), read));
  return files;
}

/** The generated files whose text is not what the generators render from the committed reports. */
export function staleFiles(read: ReadFile = readText): string[] {
  return [...renderedFiles(readReports(), read)].filter(([file, text]) => read(file) !== text).map(([file]) => file);
}
