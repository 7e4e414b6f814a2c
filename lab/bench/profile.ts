// `npm run bench:profile`: where the app's CPU time goes under load, by layer, beside a bare Express app's
// (the yardstick the overload target holds it to): each sample of a V8 CPU profile (node --cpu-prof) taken
// while wrk loads the server, in a cgroup with compose.yaml's limits, and attributed through a source map to
// the package or the file of src/ it came from. The app runs as shipped, bare Express on Node's defaults.
//
//   npm run bench:profile [-- --seconds 10 --connections 100 --pipelining 10]
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { build } from 'esbuild';
import { SERVER } from '../../scripts/build.ts';
import { buildBaselines, type Baselines } from './baselines/build.ts';
import { cgroupUnavailable } from './cgroup.ts';
import { pinSelf } from './machine.ts';
import { composeLimits } from './overload/container.ts';
import { DEFAULT_FLAGS, IMAGES_FLAGS, startHealthy, type NodeFlags } from './server-process.ts';
import { wrk, wrkUnavailable } from './wrk.ts';
import { textTable } from '../lib/tables.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '100' },
    pipelining: { type: 'string', default: '10' },
  },
});
const unavailable = cgroupUnavailable() ?? wrkUnavailable();
if (unavailable !== undefined) throw new Error(`npm run bench:profile cannot run here: ${unavailable}`);
pinSelf();

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface LayerProfile {
  requests: number;
  seconds: number;
  cpuUsPerRequest: number;
  /** µs of main-thread samples per request, by layer and by function. */
  byLayer: Map<string, number>;
  byFunction: Map<string, number>;
}

const [seconds = 10, connections = 100, pipelining = 10] = [values.seconds, values.connections, values.pipelining].map(
  Number,
);
const compose = composeLimits();

async function profileOf(folder: string, bundle: string, node: NodeFlags): Promise<LayerProfile> {
  const profiles = join(folder, `profiles-${basename(bundle, '.js')}`);
  mkdirSync(profiles);
  const server = await startHealthy({
    file: bundle,
    node: { ...node, flags: [...node.flags, '--cpu-prof', `--cpu-prof-dir=${profiles}`] },
    memoryLimitMiB: compose.memoryMiB,
    cpus: Number(compose.cpus),
    first: true,
  });
  const url = `http://127.0.0.1:${server.port}/api/time`;
  // Warm, as the bench does, so the profile is of optimised code rather than of V8 compiling it.
  await wrk(url, 5, connections, pipelining);
  const cpuBefore = server.cpuSeconds() ?? 0;
  const load = await wrk(url, seconds, connections, pipelining);
  const cpuSeconds = (server.cpuSeconds() ?? 0) - cpuBefore;
  await server.stop();

  const file = readdirSync(profiles).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('node wrote no .cpuprofile');
  const profile = JSON.parse(readFileSync(join(profiles, file), 'utf8')) as Profile;
  const map = new TraceMap(readFileSync(`${bundle}.map`, 'utf8'));
  const layerOf = ({ functionName, url: source, lineNumber, columnNumber }: ProfileNode['callFrame']) => {
    if (source === '') return functionName; // (garbage collector), (program), (idle), (root)
    if (source.startsWith('node:')) return `Node: ${source.slice('node:'.length).replace(/^internal\//, '')}`;
    if (!source.endsWith(`/${basename(bundle)}`)) return source;
    const original = originalPositionFor(map, { line: lineNumber + 1, column: columnNumber }).source ?? '';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(original)?.[1];
    return pkg ?? original.replace(/^.*?\/(src|lab)\//, '$1/');
  };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byLayer = new Map<string, number>();
  const byFunction = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    if (node === undefined) return;
    const layer = layerOf(node.callFrame);
    if (layer === '(idle)') return;
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + micros / load.requests);
    const name = `${node.callFrame.functionName || '(anonymous)'} [${layer}]`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros / load.requests);
  });
  return {
    requests: load.requests,
    seconds: load.seconds,
    cpuUsPerRequest: (cpuSeconds * 1e6) / load.requests,
    byLayer,
    byFunction,
  };
}

/** The `count` largest entries of either profile, each with both profiles' µs per request and the difference. */
function sideBySide(app: Map<string, number>, bare: Map<string, number>, count: number): string[][] {
  const names = [...new Set([...app.keys(), ...bare.keys()])];
  const largest = (name: string) => Math.max(app.get(name) ?? 0, bare.get(name) ?? 0);
  return names
    .sort((a, b) => largest(b) - largest(a))
    .slice(0, count)
    .map((name) => {
      const [own, yardstick] = [app.get(name) ?? 0, bare.get(name) ?? 0];
      return [
        name,
        own.toFixed(1),
        yardstick.toFixed(1),
        `${own >= yardstick ? '+' : ''}${(own - yardstick).toFixed(1)}`,
      ];
    });
}

const total = (entries: Map<string, number>) => [...entries.values()].reduce((sum, micros) => sum + micros, 0);

// The bundles with source maps; the app's beside a link to dist/ (it loads its assets from ../dist/public).
const folder = mkdtempSync(join(tmpdir(), 'moscow-time-profile-'));
let baselines: Baselines | undefined;
try {
  mkdirSync(join(folder, 'bundle'));
  symlinkSync(resolve('dist'), join(folder, 'dist'));
  await build({ ...SERVER, outdir: join(folder, 'bundle'), sourcemap: 'external', metafile: false });
  writeFileSync(join(folder, 'bundle', 'package.json'), '{"type":"module"}\n');
  baselines = await buildBaselines({ sourcemap: true });
  const app = await profileOf(folder, join(folder, 'bundle', 'server.js'), IMAGES_FLAGS);
  const bare = await profileOf(folder, baselines.bareExpress, DEFAULT_FLAGS);
  const header = ['', 'app as shipped', 'bare Express', 'difference'];
  const line = ({ requests, seconds: taken }: LayerProfile) =>
    `${requests} requests in ${taken.toFixed(1)} s (${Math.round(requests / taken)} req/s)`;
  process.stdout.write(
    [
      `${connections} connections × ${pipelining} pipelined, ${seconds} s each, in a cgroup of ${compose.cpus} CPU and ${compose.memoryMiB} MiB:`,
      `the app ${line(app)}, bare Express ${line(bare)}.`,
      `The cgroup's CPU time per request: the app ${app.cpuUsPerRequest.toFixed(1)} µs, bare Express ${bare.cpuUsPerRequest.toFixed(1)} µs.`,
      `Main-thread samples per request (µs), ${total(app.byLayer).toFixed(1)} against ${total(bare.byLayer).toFixed(1)}: each sample weighs the`,
      "wall time since the one before, so time the cgroup's CPU quota held the process counts too; compare the columns.",
      'By layer:',
      '',
      textTable({ header: ['Layer', ...header.slice(1)], rows: sideBySide(app.byLayer, bare.byLayer, 25) }),
      '',
      textTable({
        header: ['Function [layer]', ...header.slice(1)],
        rows: sideBySide(app.byFunction, bare.byFunction, 30),
      }),
      '',
    ].join('\n'),
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
  if (baselines !== undefined) rmSync(baselines.folder, { recursive: true, force: true });
}
