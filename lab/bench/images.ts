import { docker as dockerResult, dockerOutput, findEngine } from '../../test/images/support/engine.ts';
import { pinnedBases } from '../../test/images/support/pins.ts';
import { HARDENED, IMAGES } from '../../test/images/support/specs.ts';
import { standInTags } from '../images/standins.ts';
import { freePort } from '../../test/support/free-port.ts';
import { firstHealthy } from '../../test/support/healthz.ts';
import { measureMatrix, type MatrixRow } from './overload/matrix.ts';
import {
  measureStopUnderLoad,
  type StopTarget,
  type StopUnderLoadRun,
  type StopUnderLoadSettings,
} from './stop-under-load.ts';
import { median, medianWithInterval, round, rounded, type Estimate } from './stats.ts';

// The yardstick inside each image: node:http answering /healthz, given to the image's own node with -e.
const BARE_SERVER =
  "require('node:http').createServer((q,s)=>s.end('{\"status\":\"ok\"}')).listen(5000,'0.0.0.0');process.on('SIGTERM',()=>process.exit(0))";

/** The image run hardened, loaded, then stopped the way Docker stops it. */
function containerTarget(image: string): StopTarget {
  return {
    async start() {
      const port = await freePort();
      const id = await dockerOutput('run', '-d', ...HARDENED, '-p', `127.0.0.1:${port}:5000`, image);
      await firstHealthy(port, 30_000);
      return {
        port,
        async stop() {
          await dockerOutput('stop', id);
          return Number(await dockerOutput('inspect', '--format', '{{.State.ExitCode}}', id));
        },
        async logs() {
          const output = await dockerOutput('logs', id);
          await dockerOutput('rm', '-f', id);
          return output;
        },
      };
    },
  };
}

interface ImageRow {
  image: string;
  startupMs: number;
  bareStartupMs: number;
  /** The app's start-up over node:http's in the same image, run by run (they alternate): median, 95 % interval. */
  startupRatio: Estimate;
  stopMs: number;
  bareStopMs: number;
  /** Image size minus its base image's: the layers we add. */
  ownLayersMB: number | undefined;
  /** The overload matrix: each load shape under each memory limit, in a container of its own. */
  overload: MatrixRow[];
  /** docker stop while keep-alive clients keep sending. */
  stopUnderLoad: StopUnderLoadRun[];
}

export type ImagesResult = { skipped: string } | { rows: ImageRow[] };

async function unavailable(): Promise<string | undefined> {
  const lookup = await findEngine();
  if (lookup.reason !== undefined) return lookup.reason;
  for (const { tag } of IMAGES) {
    if ((await dockerResult(['image', 'inspect', tag])).code !== 0)
      return `${tag} is not built (npm run test:images builds it)`;
  }
  return undefined;
}

/** The image's node binary, from its entrypoint or command (distroless has no shell to find it on PATH). */
async function nodeOf(image: string): Promise<string> {
  const config = JSON.parse(await dockerOutput('image', 'inspect', '--format', '{{json .Config}}', image)) as {
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
  };
  return [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])].find((part) => /(^|\/)node$/.test(part)) ?? 'node';
}

interface Command {
  options: string[];
  args: string[];
}

interface StartAndStop {
  startupMs: number;
  stopMs: number;
}

/**
 * docker start → first 200 on /healthz, then docker stop. The container is created first, untimed: with the
 * vfs storage driver creating one copies the whole image, 2 to 3 s that varied by a second from run to run
 * and would have been most of the figure.
 */
async function startAndStop(image: string, { options, args }: Command): Promise<StartAndStop> {
  const port = await freePort();
  const id = await dockerOutput('create', ...HARDENED, '-p', `127.0.0.1:${port}:5000`, ...options, image, ...args);
  try {
    const started = performance.now();
    await dockerOutput('start', id);
    const startupMs = (await firstHealthy(port, 30_000)) - started;
    const stopping = performance.now();
    await dockerOutput('stop', id);
    return { startupMs, stopMs: performance.now() - stopping };
  } finally {
    await dockerOutput('rm', '-f', id).catch(() => undefined);
  }
}

// The base each image was built on: the pinned one where it is present, else the image suite's stand-in.
async function baseOf(name: 'slim' | 'distroless'): Promise<string | undefined> {
  const pins = pinnedBases();
  const standIns = standInTags(pins.nodeVersion);
  for (const ref of [
    pins[name === 'slim' ? 'node' : 'distroless'],
    standIns[name === 'slim' ? 'node' : 'distroless'],
  ]) {
    if ((await dockerResult(['image', 'inspect', ref])).code === 0) return ref;
  }
  return undefined;
}

async function ownLayersMB(image: string, name: 'slim' | 'distroless'): Promise<number | undefined> {
  const base = await baseOf(name);
  if (base === undefined) return undefined;
  const size = async (ref: string) => Number(await dockerOutput('image', 'inspect', '--format', '{{.Size}}', ref));
  return round(((await size(image)) - (await size(base))) / 1e6, 1);
}

export async function measureImages(
  runs: number,
  stopUnderLoad: StopUnderLoadSettings,
  log: (line: string) => void,
): Promise<ImagesResult> {
  const reason = await unavailable();
  if (reason !== undefined) return { skipped: reason };
  const rows: ImageRow[] = [];
  for (const { tag: image, name } of IMAGES) {
    const bare = { options: ['--entrypoint', await nodeOf(image)], args: ['-e', BARE_SERVER] };
    const app = { options: [], args: [] };
    const appRuns: StartAndStop[] = [];
    const bareRuns: StartAndStop[] = [];
    await startAndStop(image, app);
    for (let index = 0; index < runs; index += 1) {
      appRuns.push(await startAndStop(image, app));
      bareRuns.push(await startAndStop(image, bare));
    }
    const startupMs = median(appRuns.map((entry) => entry.startupMs));
    const bareStartupMs = median(bareRuns.map((entry) => entry.startupMs));
    rows.push({
      image,
      startupMs: round(startupMs, 0),
      bareStartupMs: round(bareStartupMs, 0),
      startupRatio: rounded(
        medianWithInterval(appRuns.map((entry, run) => entry.startupMs / (bareRuns[run]?.startupMs ?? Number.NaN))),
      ),
      stopMs: round(median(appRuns.map((entry) => entry.stopMs)), 0),
      bareStopMs: round(median(bareRuns.map((entry) => entry.stopMs)), 0),
      ownLayersMB: await ownLayersMB(image, name),
      overload: await measureMatrix(image, log),
      stopUnderLoad: await measureStopUnderLoad(containerTarget(image), stopUnderLoad),
    });
  }
  return { rows };
}
