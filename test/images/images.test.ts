import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/free-port.ts';
import { docker, findEngine, run } from '../../scripts/images/engine.ts';
import { pinnedBases } from '../../scripts/images/pins.ts';
import { writeReport, type ImageReport, type ImagesReport } from '../../scripts/images/report.ts';
import { IMAGES, type ImageSpec } from '../../scripts/images/specs.ts';
import { ensureBaseImages, type BaseImages } from '../../scripts/images/standins.ts';
import { buildImage } from './support/build.ts';
import {
  exitCode,
  logs,
  processUid,
  remove,
  runHardened,
  timedStop,
  waitForHealth,
  waitUntilServing,
  type Container,
} from './support/containers.ts';
import { imageFacts } from './support/facts.ts';
import { exportFilesystem, type Filesystem } from './support/filesystem.ts';

const lookup = await findEngine();
if (lookup.engine === undefined) {
  if (process.env.REQUIRE_DOCKER === '1') throw new Error(`REQUIRE_DOCKER=1 but ${lookup.reason}`);
  console.log(`image suite skipped: ${lookup.reason}`);
}

const SLOW_REQUEST_DELAY_MS = 1500;
// Our layers may add only the bundle and the static assets (and the folders holding them).
const OURS = /^app(\/(dist|public)(\/[^/]+)*)?$/;
// Never anywhere in an image: VCS data, env files, dev dependencies, npm's cache.
const FORBIDDEN = [
  /(^|\/)\.git(\/|$)/,
  /(^|\/)\.env/,
  /node_modules\/(typescript|vitest|eslint|esbuild|@esbuild|supertest|playwright-core)(\/|$)/,
  /^(root|home\/[^/]+)\/\.npm(\/|$)/,
  /(^|\/)_cacache(\/|$)/,
];

describe.skipIf(lookup.engine === undefined)('both images, built and run side by side', () => {
  const pins = pinnedBases();
  let bases: BaseImages;
  const reports: Partial<Record<ImageSpec['name'], Partial<ImageReport>>> = {};

  beforeAll(async () => {
    bases = await ensureBaseImages(pins.nodeVersion, pins);
    console.log(`bases: ${bases.kind} (${bases.node}, ${bases.distroless})`);
    for (const image of IMAGES) await buildImage(image, bases);
  });

  describe.each(IMAGES)('$name', (image) => {
    let container: Container;
    let filesystem: Filesystem;
    /** Paths in the image that its base does not have: what our layers added. */
    let added: string[];
    const report: Partial<ImageReport> = {
      tag: image.tag,
      dockerfile: image.dockerfile,
      slowRequestDelayMs: SLOW_REQUEST_DELAY_MS,
    };
    reports[image.name] = report;

    beforeAll(async () => {
      container = await runHardened(image.tag);
      await waitUntilServing(container);
      const base = image.name === 'slim' ? bases.node : bases.distroless;
      filesystem = await exportFilesystem(image.tag);
      const baseFilesystem = await exportFilesystem(base);
      added = filesystem.entries.map((entry) => entry.path).filter((path) => !baseFilesystem.has(path));
      await baseFilesystem.dispose();
      Object.assign(report, { base }, await imageFacts(image.tag, base, filesystem));
    });
    afterAll(async () => {
      await remove(container.id);
      await filesystem.dispose();
    });

    it('is reported healthy by Docker: its HEALTHCHECK works', async () => {
      report.health = await waitForHealth(container.id);
      expect(report.health).toBe('healthy');
    });

    it('shows Moscow time, serves its clock script from the image, and is ready', async () => {
      const page = await (await fetch(`${container.url}/`)).text();
      expect(page).toContain('<h1>Current time in Moscow</h1>');
      const script = /src="(\/static\/clock\.[0-9a-f]+\.js)"/.exec(page)?.[1];
      expect(script).toBeDefined();
      const scriptResponse = await fetch(`${container.url}${String(script)}`);
      expect(scriptResponse.status).toBe(200);
      expect(await scriptResponse.text()).toBe(await readFile('public/clock.js', 'utf8'));
      const time = (await (await fetch(`${container.url}/api/time`)).json()) as { iso: string; zone: string };
      expect(time.zone).toBe('Europe/Moscow');
      expect(time.iso).toMatch(/\+03:00$/);
      expect((await fetch(`${container.url}/readyz`)).status).toBe(200);
    });

    it(`runs as UID ${image.uid}, as the host sees the process`, async () => {
      report.uid = await processUid(container.id);
      expect(report.uid).toBe(image.uid);
    });

    it('adds only the bundle and the static assets: no sources, tests, VCS data, env files, dev dependencies or npm cache', () => {
      expect(added).toEqual(
        expect.arrayContaining([
          'app/dist/server.js',
          'app/dist/healthcheck.js',
          'app/dist/THIRD-PARTY-NOTICES.txt',
          'app/public/clock.js',
        ]),
      );
      expect(added.filter((path) => !OURS.test(path))).toEqual([]);
      expect(added.filter((path) => path.endsWith('.ts'))).toEqual([]);
      expect(
        filesystem.entries.map((entry) => entry.path).filter((path) => FORBIDDEN.some((pattern) => pattern.test(path))),
      ).toEqual([]);
    });

    it('keeps the app read-only to its user: every file under /app is root-owned and not writable by others', () => {
      const app = filesystem.entries.filter((entry) => entry.path.startsWith('app'));
      expect(app.length).toBeGreaterThan(0);
      expect(
        app.filter((entry) => entry.owner !== '0/0' || /^.{5}w|^.{8}w/.test(entry.mode)).map((entry) => entry.path),
      ).toEqual([]);
    });

    if (image.name === 'distroless') {
      it('has no shell, no package manager and no setuid/setgid files', () => {
        expect(report.shell).toBe(false);
        expect(report.packageManagers).toEqual([]);
        expect(report.setuidFiles).toEqual([]);
      });
    } else {
      it('records what the slim image carries that distroless does not', () => {
        expect(report.shell).toBe(true);
        expect(report.packageManagers).toEqual(expect.arrayContaining(['apt', 'dpkg', 'npm', 'npx']));
      });
    }

    it('writes JSON log lines to stdout', async () => {
      await fetch(`${container.url}/api/time`);
      const lines = (await logs(container.id)).trim().split('\n');
      const records = lines.map((line) => JSON.parse(line) as { msg: string; path?: string });
      expect(records[0]?.msg).toMatch(/^listening/);
      expect(records).toContainEqual(expect.objectContaining({ msg: 'request', path: '/api/time' }));
    });

    it('stops on docker stop: in-flight request completes, exit code 0, well under the 10 s kill timeout', async () => {
      const idle = await runHardened(image.tag);
      const slow = await runHardened(image.tag, { TEST_RESPONSE_DELAY_MS: String(SLOW_REQUEST_DELAY_MS) });
      try {
        await Promise.all([waitUntilServing(idle), waitUntilServing(slow)]);
        const idleStop = await timedStop(idle.id);
        report.stopSeconds = idleStop;
        expect(await exitCode(idle.id)).toBe(0);

        const inFlight = fetch(`${slow.url}/api/time`);
        await sleep(300);
        const slowStop = await timedStop(slow.id);
        report.stopWithSlowRequestSeconds = slowStop;
        const response = await inFlight;
        expect(response.status).toBe(200);
        expect(((await response.json()) as { iso: string }).iso).toMatch(/\+03:00$/);
        expect(await exitCode(slow.id)).toBe(0);
        expect(slowStop).toBeLessThan(3);
        console.log(
          `${image.name}: docker stop took ${idleStop.toFixed(2)} s idle, ${slowStop.toFixed(2)} s with a ${SLOW_REQUEST_DELAY_MS} ms request in flight`,
        );
      } finally {
        await Promise.all([remove(idle.id), remove(slow.id)]);
      }
    });
  });

  it('reuses the dependency layer when only src/ changes (BuildKit reports npm ci CACHED)', async () => {
    const context = await mkdtemp(join(tmpdir(), 'moscow-time-context-'));
    try {
      for (const path of ['package.json', 'package-lock.json', 'scripts/build.ts', 'src', 'public'])
        await cp(path, join(context, path), { recursive: true });
      await writeFile(join(context, 'src/app.ts'), `${await readFile('src/app.ts', 'utf8')}// ${String(Date.now())}\n`);
      const log = await buildImage({ ...IMAGES[0], tag: 'moscow-time:cache-probe' } as ImageSpec, bases, context);
      const stepOf = (pattern: RegExp) =>
        /^#(\d+) \[/m.exec(log.split('\n').find((line) => pattern.test(line)) ?? '')?.[1];
      const install = stepOf(/^#\d+ \[deps \d+\/\d+\] RUN .*npm ci/);
      const bundle = stepOf(/^#\d+ \[build \d+\/\d+\] RUN node scripts\/build\.ts/);
      expect(install).toBeDefined();
      expect(log).toMatch(new RegExp(`^#${String(install)} CACHED$`, 'm'));
      // The edit did reach the build: the bundle step ran again.
      expect(log).not.toMatch(new RegExp(`^#${String(bundle)} CACHED$`, 'm'));
    } finally {
      await rm(context, { recursive: true, force: true });
      await docker(['rmi', 'moscow-time:cache-probe']);
    }
  });

  describe('compose.yaml, brought up the documented way', () => {
    const project = 'moscow-time-suite';
    let env: Record<string, string>;
    let compose: string[];

    beforeAll(async () => {
      compose = (await run('docker-compose', ['version'])).code === 0 ? ['docker-compose'] : ['docker', 'compose'];
      env = {
        SLIM_PORT: String(await freePort()),
        DISTROLESS_PORT: String(await freePort()),
        COMPOSE_PROJECT_NAME: project,
      };
      const [file, ...args] = compose;
      await run(file ?? 'docker-compose', [...args, '-f', 'compose.yaml', 'up', '-d', '--no-build'], {
        env,
        check: true,
      });
    });
    afterAll(async () => {
      const [file, ...args] = compose;
      await run(file ?? 'docker-compose', [...args, '-f', 'compose.yaml', 'down', '-v'], { env });
    });

    it.each([
      ['slim', 'SLIM_PORT'],
      ['distroless', 'DISTROLESS_PORT'],
    ])('%s: hardening applied, healthy, serving', async (service, portVariable) => {
      const [file, ...args] = compose;
      const id = (
        await run(file ?? 'docker-compose', [...args, '-f', 'compose.yaml', 'ps', '-q', service], { env, check: true })
      ).stdout.trim();
      const format =
        '{{json .HostConfig.ReadonlyRootfs}}|{{json .HostConfig.CapDrop}}|{{json .HostConfig.SecurityOpt}}|{{json .HostConfig.Memory}}|{{json .HostConfig.PidsLimit}}|{{json .HostConfig.Tmpfs}}';
      const [readOnly, capDrop, securityOpt, memory, pids, tmpfs] = (
        await docker(['inspect', '--format', format, id], { check: true })
      ).stdout
        .trim()
        .split('|');
      expect(JSON.parse(readOnly ?? '')).toBe(true);
      expect(JSON.parse(capDrop ?? '')).toEqual(['ALL']);
      expect(JSON.parse(securityOpt ?? '')).toEqual(
        expect.arrayContaining([expect.stringMatching(/^no-new-privileges/)]),
      );
      expect(JSON.parse(memory ?? '')).toBeGreaterThan(0);
      expect(JSON.parse(pids ?? '')).toBeGreaterThan(0);
      expect(Object.keys(JSON.parse(tmpfs ?? '{}') as object)).toContain('/tmp');
      expect(await waitForHealth(id)).toBe('healthy');
      const response = await fetch(`http://127.0.0.1:${String(env[portVariable])}/api/time`);
      expect(((await response.json()) as { iso: string }).iso).toMatch(/\+03:00$/);
    });
  });

  afterAll(async () => {
    const slim = reports.slim;
    const distroless = reports.distroless;
    const complete = (report: Partial<ImageReport> | undefined): report is ImageReport =>
      report?.health !== undefined &&
      report.uid !== undefined &&
      report.stopWithSlowRequestSeconds !== undefined &&
      report.sizeBytes !== undefined;
    if (!complete(slim) || !complete(distroless)) {
      console.log('reports/images.json not written: a check that measures it failed');
      return;
    }
    const engine = (await docker(['version', '--format', '{{.Server.Version}}'], { check: true })).stdout.trim();
    const report: ImagesReport = {
      generatedBy: 'npm run test:images',
      date: new Date().toISOString(),
      engine,
      nodeVersion: pins.nodeVersion,
      bases,
      images: { slim, distroless },
    };
    writeReport(report);
  });
});
