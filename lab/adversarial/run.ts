// The adversarial suite: every hostile shape (shapes.ts) against the app as a process, the peer, and both
// images under 128 and 64 MiB, each started fresh for each shape. Writes lab/reports/adversarial.json and
// docs/adversarial.md.
//
//   npm run adversarial                  everything (the images must be built: npm run test:images)
//   npm run adversarial -- --no-images   the process and the peer only
//   npm run adversarial -- --seconds 4   shorter attacks, for trying a change
//   npm run adversarial -- --only open --targets process    the shapes whose name has "open", on the process
//   npm run adversarial -- --targets slim --update           re-measures those rows in the committed report
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { firstAnswer } from '../../test/support/load/connection.ts';
import { buildBaselines } from '../bench/baselines/build.ts';
import { describeMachine, pinSelf } from '../bench/machine.ts';
import { findEngine } from '../../test/images/support/engine.ts';
import type { AttackOrder } from './attacker.ts';
import type { Observed } from './observer.ts';
import { renderAdversarial, ADVERSARIAL_DOC, ADVERSARIAL_REPORT, type AdversarialReport, type Row } from './report.ts';
import { SHAPES, type Attack } from './shapes.ts';
import { appProcess, imageTargets, peerProcess, type TargetSpec } from './targets.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    'no-images': { type: 'boolean', default: false },
    only: { type: 'string', default: '' },
    targets: { type: 'string', default: 'process,peer,slim,distroless' },
    update: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
/** How long the suite waits for a first 200 after the attack: past it, the row says "none". */
const RECOVERY_TIMEOUT_MS = 30_000;

function attack(order: AttackOrder): Promise<Attack> {
  const worker = new Worker(new URL('./attacker.ts', import.meta.url), { workerData: order });
  return new Promise((resolve, reject) => {
    worker.once('message', (message: Attack) => {
      resolve(message);
    });
    worker.once('error', reject);
  });
}

async function observe(host: string, port: number, probePort: number): Promise<() => Promise<Observed>> {
  const child = spawn(process.execPath, ['lab/adversarial/observer.ts', host, String(port), String(probePort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // Its first request out before the attack starts.
  await sleep(300);
  return async () => {
    child.kill('SIGTERM');
    await once(child, 'exit');
    return JSON.parse(output) as Observed;
  };
}

async function runRow(spec: TargetSpec, shape: string): Promise<Row> {
  const target = await spec.start();
  try {
    const observed = await observe(target.address.host, target.address.port, target.probeAddress.port);
    const attackResult = await attack({ shape, address: target.address, seconds });
    let recoveryMs: number | undefined;
    try {
      recoveryMs = Math.round(await firstAnswer(target.address, '/api/time', RECOVERY_TIMEOUT_MS));
    } catch {
      recoveryMs = undefined;
    }
    const seen = await observed();
    return {
      shape,
      target: spec.name,
      memoryMiB: spec.memoryMiB,
      maxConnections: target.maxConnections,
      attack: attackResult,
      recoveryMs,
      ...seen,
      ...(await target.outcome()),
    };
  } finally {
    await target.stop();
  }
}

pinSelf();
const baselines = await buildBaselines();
const imagesSkipped: string | undefined = values['no-images'] ? 'not requested' : (await findEngine()).reason;
const chosen = new Set(values.targets.split(','));
const targets = [
  appProcess(128),
  peerProcess(baselines.peer, 128),
  ...(imagesSkipped === undefined ? imageTargets([128, 64]) : []),
].filter((target) => chosen.has(target.name));
const shapes = SHAPES.filter((shape) => shape.name.includes(values.only));
const rows: Row[] = [];
const started = performance.now();
for (const spec of targets) {
  for (const shape of shapes) {
    process.stderr.write(`${spec.name} under ${spec.memoryMiB} MiB: ${shape.name}… `);
    const row = await runRow(spec, shape.name);
    process.stderr.write(
      `${row.heapAborts + row.oomKills + row.restarts === 0 ? 'up' : 'DOWN'}, recovery ${row.recoveryMs ?? 'none'} ms, polite ${row.polite.answered}/${row.polite.tried}, probes ${row.probes.answered}/${row.probes.tried}\n`,
    );
    rows.push(row);
  }
}
const report: AdversarialReport = {
  command: `npm run adversarial${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  machine: describeMachine(),
  attackSeconds: seconds,
  durationSeconds: Math.round((performance.now() - started) / 1000),
  ...(imagesSkipped === undefined ? {} : { imagesSkipped }),
  rows,
};
const sameRow = (a: Row, b: Row) => a.target === b.target && a.memoryMiB === b.memoryMiB && a.shape === b.shape;

if (values.update) {
  // The committed report, with these rows measured again; the page says which and when.
  const committed = JSON.parse(readFileSync(ADVERSARIAL_REPORT, 'utf8')) as AdversarialReport;
  const updated: AdversarialReport = {
    ...committed,
    rows: committed.rows.map((row) => rows.find((fresh) => sameRow(fresh, row)) ?? row),
    updates: [...(committed.updates ?? []), { command: report.command, date: report.machine.date, rows: rows.length }],
  };
  writeFileSync(ADVERSARIAL_REPORT, `${JSON.stringify(updated, null, 2)}\n`);
  writeFileSync(ADVERSARIAL_DOC, renderAdversarial(updated));
  process.stderr.write(`Updated ${rows.length} rows: ${ADVERSARIAL_REPORT}, ${ADVERSARIAL_DOC}\n`);
} else if (process.argv.length > 2 && !(process.argv.length === 3 && values['no-images'])) {
  // A partial run (fewer shapes, targets or seconds) is for trying a change: printed, never committed.
  process.stdout.write(renderAdversarial(report));
} else {
  writeFileSync(ADVERSARIAL_REPORT, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(ADVERSARIAL_DOC, renderAdversarial(report));
  process.stderr.write(`Written: ${ADVERSARIAL_REPORT}, ${ADVERSARIAL_DOC}\n`);
}
