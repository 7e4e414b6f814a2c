// `npm run bench:profile`: where the app's CPU time goes under load, by layer: each sample of a V8 CPU profile
// (node --cpu-prof) taken while wrk loads the app as shipped, in a cgroup with compose.yaml's limits, and
// attributed through a source map to the package or the file of src/ it came from.
//
//   npm run bench:profile [-- --seconds 10 --connections 100 --pipelining 10]
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { build } from 'esbuild';
import { SERVER } from '../../scripts/build.ts';
import { cgroupUnavailable } from './cgroup.ts';
import { pinSelf } from './machine.ts';
import { composeLimits } from './overload/container.ts';
import { IMAGES_FLAGS, startHealthy } from './server-process.ts';
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

// The bundle with a source map, beside a link to dist/ (the server loads its assets from ../dist/public).
const folder = mkdtempSync(join(tmpdir(), 'moscow-time-profile-'));
try {
  mkdirSync(join(folder, 'bundle'));
  symlinkSync(resolve('dist'), join(folder, 'dist'));
  await build({ ...SERVER, outdir: join(folder, 'bundle'), sourcemap: 'external', metafile: false });
  writeFileSync(join(folder, 'bundle', 'package.json'), '{"type":"module"}\n');
  const bundle = join(folder, 'bundle', 'server.js');
  const compose = composeLimits();
  const server = await startHealthy({
    file: bundle,
    node: { ...IMAGES_FLAGS, flags: [...IMAGES_FLAGS.flags, '--cpu-prof', `--cpu-prof-dir=${folder}`] },
    memoryLimitMiB: compose.memoryMiB,
    cpus: Number(compose.cpus),
    first: true,
  });
  const url = `http://127.0.0.1:${server.port}/api/time`;
  const [seconds, connections, pipelining] = [values.seconds, values.connections, values.pipelining].map(Number);
  // Warm, as the bench does, so the profile is of optimised code rather than of V8 compiling it.
  await wrk(url, 5, connections ?? 100, pipelining ?? 10);
  const cpuBefore = server.cpuSeconds() ?? 0;
  const load = await wrk(url, seconds ?? 10, connections ?? 100, pipelining ?? 10);
  const cpuSeconds = (server.cpuSeconds() ?? 0) - cpuBefore;
  await server.stop();

  const file = readdirSync(folder).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('node wrote no .cpuprofile');
  const profile = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Profile;
  const map = new TraceMap(readFileSync(`${bundle}.map`, 'utf8'));
  const layerOf = ({ functionName, url: source, lineNumber, columnNumber }: ProfileNode['callFrame']) => {
    if (source === '') return functionName; // (garbage collector), (program), (idle), (root)
    if (source.startsWith('node:')) return `Node: ${source.slice('node:'.length).replace(/^internal\//, '')}`;
    if (!source.endsWith('/bundle/server.js')) return source;
    const original = originalPositionFor(map, { line: lineNumber + 1, column: columnNumber }).source ?? '';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(original)?.[1];
    return pkg ?? original.replace(/^.*?\/src\//, 'src/');
  };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byLayer = new Map<string, number>();
  const byFunction = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    if (node === undefined) return;
    const layer = layerOf(node.callFrame);
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + micros);
    const name = `${node.callFrame.functionName || '(anonymous)'} [${layer}]`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  });
  const busy = [...byLayer].filter(([layer]) => layer !== '(idle)').reduce((sum, [, micros]) => sum + micros, 0);
  const rows = (entries: Map<string, number>, count: number) =>
    [...entries]
      .filter(([name]) => !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, micros]) => [name, `${((100 * micros) / busy).toFixed(1)} %`, (micros / load.requests).toFixed(1)]);
  const requestsPerSecond = Math.round(load.requests / load.seconds);
  process.stdout.write(
    [
      `${load.requests} requests in ${load.seconds.toFixed(1)} s (${requestsPerSecond} req/s), ${connections} connections × ${pipelining} pipelined;`,
      `the cgroup's CPU time per request: ${((cpuSeconds * 1e6) / load.requests).toFixed(1)} µs. Samples on the main thread, by layer:`,
      '',
      textTable({ header: ['Layer', 'Share of busy samples', 'µs/request'], rows: rows(byLayer, 25) }),
      '',
      textTable({ header: ['Function [layer]', 'Share of busy samples', 'µs/request'], rows: rows(byFunction, 25) }),
      '',
    ].join('\n'),
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
