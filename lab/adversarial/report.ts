import type { Machine } from '../bench/machine.ts';
import { paragraph } from '../lib/markdown.ts';
import type { Observed } from './observer.ts';
import type { Attack } from './shapes.ts';
import type { Outcome } from './targets.ts';

// The suite's report and its page. Targets (issue-level, for every target and shape): no heap abort, OOM
// kill or restart; the peak within the memory limit; a fresh connection answered within a second of the
// attack's end; every liveness probe answered within a second; the polite client answered within a second
// nine times in ten or more.

export const ADVERSARIAL_REPORT = 'lab/reports/adversarial.json';
export const ADVERSARIAL_DOC = 'docs/adversarial.md';

export interface Row extends Observed, Outcome {
  shape: string;
  target: string;
  memoryMiB: number;
  maxConnections: number | undefined;
  attack: Attack;
  /** From the attack's end to the first 200 on a fresh connection; undefined: none within 30 s. */
  recoveryMs: number | undefined;
}

export interface AdversarialReport {
  command: string;
  machine: Machine;
  attackSeconds: number;
  durationSeconds: number;
  imagesSkipped?: string;
  rows: Row[];
  /** Later runs that measured some rows again (npm run adversarial -- … --update). */
  updates?: { command: string; date: string; rows: number }[];
}

const RECOVERY_TARGET_MS = 1_000;
const POLITE_TARGET = 0.9;

const share = ({ answered, tried }: { answered: number; tried: number }) => (tried === 0 ? 1 : answered / tried);

/** The targets this row misses, in a few words each; empty when it meets them all. */
export function missed(row: Row): string[] {
  const misses: string[] = [];
  if (row.heapAborts > 0) misses.push(`${row.heapAborts} heap abort(s)`);
  if (row.oomKills > 0) misses.push(`${row.oomKills} OOM kill(s)`);
  if (row.restarts > 0) misses.push(`${row.restarts} restart(s)`);
  if (row.peakMiB !== undefined && row.peakMiB > row.memoryMiB) misses.push('peak over the limit');
  if (row.recoveryMs === undefined || row.recoveryMs > RECOVERY_TARGET_MS) misses.push('slow recovery');
  if (row.probes.answered < row.probes.tried) misses.push('probes missed');
  if (share(row.polite) < POLITE_TARGET) misses.push('polite client under 90 %');
  return misses;
}

const percent = (value: number) => `${Math.round(value * 100)} %`;

function cell(row: Row): string[] {
  const down = row.heapAborts + row.oomKills + row.restarts;
  return [
    `${row.target}, ${row.memoryMiB} MiB`,
    down === 0
      ? 'up'
      : `**down** (${[row.heapAborts && 'heap abort', row.oomKills && 'OOM kill', row.restarts && 'restart'].filter(Boolean).join(', ')})`,
    row.peakMiB === undefined ? 'n/a' : `${row.peakMiB}`,
    row.recoveryMs === undefined ? '**none in 30 s**' : `${(row.recoveryMs / 1000).toFixed(2)} s`,
    `${percent(share(row.polite))} (${row.polite.answered}/${row.polite.tried})`,
    `${row.probes.answered}/${row.probes.tried}`,
    missed(row).length === 0 ? 'all met' : missed(row).join('; '),
  ];
}

export function renderAdversarial(report: AdversarialReport): string {
  const shapes = [...new Set(report.rows.map((row) => row.shape))];
  const lines = [
    '# Hostile clients, measured',
    '',
    `<!-- Written by \`${report.command}\` (lab/adversarial/run.ts) from ${ADVERSARIAL_REPORT};`,
    '     do not edit by hand: `node lab/adversarial/report.ts` renders it again. -->',
    '',
    `Each shape attacks for ${report.attackSeconds} s a target started fresh for it: the app as a process in a memory`,
    'cgroup with the images’ Node flags, the peer (Express with helmet and pino-http, Node’s defaults) the same way,',
    'and both images run as compose.yaml runs them. Beside each attack, a polite client sends one request at a time,',
    'ten a second (answered: a 200, or a 503 with Retry-After, within 1 s), and a kubelet-like probe asks for',
    '`/healthz` on a new connection once a second (the app’s on METRICS_PORT, the peer’s on its only port).',
    'Recovery: from the attack’s end to the first 200 on a fresh connection.',
    '',
    `Targets, for every row: up (no heap abort, OOM kill or restart), the peak within the limit, recovery ≤ 1 s,`,
    'every probe answered within 1 s, the polite client ≥ 90 % answered within 1 s.',
    '',
    // Wrapped: the machine's pinning is a sentence of its own length.
    paragraph(
      `Machine: ${report.machine.cpuModel}, ${report.machine.cores} cores; ${report.machine.pinning}. The run took ${Math.round(report.durationSeconds / 60)} min.${report.imagesSkipped === undefined ? '' : ` Images: skipped (${report.imagesSkipped}).`}`,
    ),
    ...(report.updates ?? []).map(
      (update) => `Re-measured on ${update.date}: ${update.rows} rows, by \`${update.command}\`.`,
    ),
    '',
  ];
  lines.push('| target | rows up | rows meeting every target |', '| --- | --: | --: |');
  for (const key of [...new Set(report.rows.map((row) => `${row.target}, ${row.memoryMiB} MiB`))]) {
    const ofTarget = report.rows.filter((row) => `${row.target}, ${row.memoryMiB} MiB` === key);
    const up = ofTarget.filter((row) => row.heapAborts + row.oomKills + row.restarts === 0).length;
    const met = ofTarget.filter((row) => missed(row).length === 0).length;
    lines.push(`| ${key} | ${up} of ${ofTarget.length} | ${met} of ${ofTarget.length} |`);
  }
  lines.push('');
  for (const shape of shapes) {
    lines.push(`## ${shape}`, '');
    lines.push('| target | came out | peak MiB | recovery | polite client | probes | targets |');
    lines.push('| --- | --- | --: | --: | --: | --: | --- |');
    for (const row of report.rows.filter((candidate) => candidate.shape === shape)) {
      lines.push(`| ${cell(row).join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (import.meta.main) {
  // node lab/adversarial/report.ts: the page again from the committed report.
  const { readFileSync, writeFileSync } = await import('node:fs');
  const report = JSON.parse(readFileSync(ADVERSARIAL_REPORT, 'utf8')) as AdversarialReport;
  writeFileSync(ADVERSARIAL_DOC, renderAdversarial(report));
}
