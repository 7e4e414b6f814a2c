import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { docker, findEngine, run } from './support/engine.ts';
import { pinnedBases } from './support/pins.ts';
import { writeReport, type ImageReport, type ImagesReport } from './support/report.ts';
import { IMAGES_RESULTS_FILE } from '../support/results.ts';
import { IMAGES, type ImageSpec } from './support/specs.ts';
import { findBaseImages, type BaseImages } from './support/bases.ts';
import { buildImage } from './support/build.ts';
import {
  containerState,
  exitCode,
  logs,
  processUid,
  remove,
  runHardened,
  stderrShows,
  timedStop,
  waitForHealth,
  waitUntilServing,
  type Container,
} from './support/containers.ts';
import { firstHealthy } from '../support/healthz.ts';
import { HOLDING_MARKER } from '../support/response-delay.ts';
import { parseCompose } from '../unit/policy/compose-rules.ts';
import { imageFacts, nodeVersionOf } from './support/facts.ts';
import { kubectlAvailable } from '../process/kubernetes/render.ts';
import { skipWithout } from '../support/requirement.ts';
import { dockerArgsFromManifest } from './support/manifest.ts';
import { exportFilesystem, type Filesystem } from './support/filesystem.ts';

const lookup = await findEngine();
const engineMissing = skipWithout({
  present: lookup.engine !== undefined,
  switchName: 'REQUIRE_DOCKER',
  missing: lookup.reason ?? '',
  tests: 'image suite',
});
// Asked only where the images run at all: without an engine, the line above says it all.
const kubectlMissing =
  !engineMissing &&
  skipWithout({
    present: kubectlAvailable,
    switchName: 'REQUIRE_KUBECTL',
    missing: 'no kubectl',
    tests: 'the images under the Kubernetes manifest',
  });

const SLOW_REQUEST_DELAY_MS = 1500;
// CI builds the images itself, on the real bases, and asks the suite to test exactly those.
const IMAGES_PREBUILT = process.env.IMAGES_PREBUILT === '1';
const REQUIRE_REAL_BASES = process.env.REQUIRE_REAL_BASES === '1';
/** Compose's "256m" in bytes, as Docker stores it. */
const bytesOf = (size: string) => Number.parseInt(size, 10) * 1024 ** ('kmg'.indexOf(size.slice(-1).toLowerCase()) + 1);
// Our layers may add only the build's output: the bundle and the static assets (and the folders holding them).
const OURS = /^app(\/dist(\/[^/]+)*)?$/;
// Never anywhere in an image: VCS data, env files, dev dependencies, npm's cache.
const FORBIDDEN = [
  /(^|\/)\.git(\/|$)/,
  /(^|\/)\.env/,
  /node_modules\/(typescript|vitest|eslint|esbuild|@esbuild|supertest|playwright-core)(\/|$)/,
  /^(root|home\/[^/]+)\/\.npm(\/|$)/,
  /(^|\/)_cacache(\/|$)/,
];

describe.skipIf(engineMissing)('both images, built and run side by side', () => {
  const pins = pinnedBases();
  let bases: BaseImages;
  const reports: Partial<Record<ImageSpec['name'], Partial<ImageReport>>> = {};

  beforeAll(async () => {
    bases = await findBaseImages(pins);
    console.log(`bases: ${bases.kind} (${bases.node}, ${bases.distroless})`);
    if (REQUIRE_REAL_BASES && bases.kind !== 'real') {
      throw new Error('REQUIRE_REAL_BASES=1, but the pinned bases could not be pulled: the suite would test stand-ins');
    }
    if (IMAGES_PREBUILT) {
      // Built by the caller (CI builds them with Buildx on the real bases): test those, do not rebuild.
      for (const image of IMAGES) {
        if ((await docker(['image', 'inspect', image.tag])).code !== 0) {
          throw new Error(`IMAGES_PREBUILT=1, but there is no image ${image.tag}`);
        }
      }
    } else {
      for (const image of IMAGES) await buildImage(image, bases);
    }
  });

  it('runs the same Node.js in both images (distroless publishes no per-version tags: only a run can tell)', async () => {
    const versions = await Promise.all(IMAGES.map((image) => nodeVersionOf(image.tag)));
    expect(versions).toEqual([`v${pins.nodeVersion}`, `v${pins.nodeVersion}`]);
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
      expect(await scriptResponse.text()).toBe(await readFile('dist/public/clock.js', 'utf8'));
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
          'app/dist/public/clock.js',
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

    it('stops on docker stop: the in-flight request completes and the exit code is 0, not a kill', async () => {
      const idle = await runHardened(image.tag);
      const slow = await runHardened(image.tag, { responseDelayMs: SLOW_REQUEST_DELAY_MS });
      try {
        await Promise.all([waitUntilServing(idle), waitUntilServing(slow)]);
        const idleStop = await timedStop(idle.id);
        report.stopSeconds = idleStop;
        expect(await exitCode(idle.id)).toBe(0);

        const inFlight = fetch(`${slow.url}/api/time`);
        // The hook says when it holds the request: from then on it is certainly in flight.
        await stderrShows(slow.id, HOLDING_MARKER);
        const slowStop = await timedStop(slow.id);
        report.stopWithSlowRequestSeconds = slowStop;
        const response = await inFlight;
        expect(response.status).toBe(200);
        expect(((await response.json()) as { iso: string }).iso).toMatch(/\+03:00$/);
        // 0, not 137: the server drained and exited by itself before Docker's 10 s stop timeout ran out.
        expect(await exitCode(slow.id)).toBe(0);
        console.log(
          `${image.name}: docker stop took ${idleStop.toFixed(2)} s idle, ${slowStop.toFixed(2)} s with a ${SLOW_REQUEST_DELAY_MS} ms request in flight`,
        );
      } finally {
        await Promise.all([remove(idle.id), remove(slow.id)]);
      }
    });
  });

  describe.each(IMAGES)('$name under its Kubernetes manifest', (image) => {
    // What the pod would get: the rendered overlay's user, read-only root, sized in-memory /tmp,
    // capabilities, no privilege escalation and memory limit, as docker run options.
    it.skipIf(kubectlMissing)("starts healthy as the manifest's user, serves, and stops cleanly", async () => {
      const hardening = dockerArgsFromManifest(image.name);
      const container = await runHardened(image.tag, { hardening });
      try {
        await waitUntilServing(container);
        expect(await waitForHealth(container.id)).toBe('healthy');
        const time = (await (await fetch(`${container.url}/api/time`)).json()) as { zone: string };
        expect(time.zone).toBe('Europe/Moscow');
        const user = hardening[hardening.indexOf('--user') + 1] ?? '';
        expect(await processUid(container.id)).toBe(Number(user.split(':')[0]));
        await timedStop(container.id);
        expect(await exitCode(container.id)).toBe(0);
      } finally {
        await remove(container.id);
      }
    });
  });

  it('reuses the dependency layer when only src/ changes (BuildKit reports npm ci CACHED)', async () => {
    const context = await mkdtemp(join(tmpdir(), 'moscow-time-context-'));
    try {
      for (const path of ['package.json', 'package-lock.json', 'scripts/build.ts', 'src', 'public'])
        await cp(path, join(context, path), { recursive: true });
      const probe = { ...IMAGES[0], tag: 'moscow-time:cache-probe' } as ImageSpec;
      // Built once as it is, so the cache is warm whoever built the images (prebuilt ones come from elsewhere).
      await buildImage(probe, bases, context);
      await writeFile(
        join(context, 'src/http/app.ts'),
        `${await readFile('src/http/app.ts', 'utf8')}// ${String(Date.now())}\n`,
      );
      const log = await buildImage(probe, bases, context);
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

    const composeIdOf = async (service: string) => {
      const [file, ...args] = compose;
      const ps = await run(file ?? 'docker-compose', [...args, '-f', 'compose.yaml', 'ps', '-q', service], {
        env,
        check: true,
      });
      return ps.stdout.trim();
    };

    it.each([
      ['slim', 'SLIM_PORT'],
      ['distroless', 'DISTROLESS_PORT'],
    ] as const)(
      '%s: the hardening compose.yaml asks for is applied, healthy, serving',
      async (service, portVariable) => {
        const id = await composeIdOf(service);
        const wanted = parseCompose(readFileSync('compose.yaml', 'utf8'))[service];
        const host = JSON.parse(
          (await docker(['inspect', '--format', '{{json .HostConfig}}', id], { check: true })).stdout,
        ) as {
          ReadonlyRootfs: boolean;
          CapDrop: string[];
          SecurityOpt: string[];
          Memory: number;
          NanoCpus: number;
          PidsLimit: number;
          Tmpfs: Record<string, string>;
          PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
          RestartPolicy: { Name: string };
        };
        expect(host).toMatchObject({
          ReadonlyRootfs: true,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges:true'],
          Memory: bytesOf(String(wanted?.mem_limit)),
          NanoCpus: Number(wanted?.cpus) * 1e9,
          PidsLimit: wanted?.pids_limit,
          RestartPolicy: { Name: 'unless-stopped' },
        });
        expect(Object.keys(host.Tmpfs)).toEqual(['/tmp']);
        // Published on loopback only, as compose.yaml does unless BIND_ADDRESS says otherwise.
        expect(host.PortBindings['5000/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: env[portVariable] }]);
        expect(await waitForHealth(id)).toBe('healthy');
        const response = await fetch(`http://127.0.0.1:${String(env[portVariable])}/api/time`);
        expect(((await response.json()) as { iso: string }).iso).toMatch(/\+03:00$/);
      },
    );

    it.each(['slim', 'distroless'] as const)(
      '%s: restart: unless-stopped brings back a crashed container, and leaves one stopped by docker kill down',
      async (service) => {
        const id = await composeIdOf(service);
        const port = Number(env[service === 'slim' ? 'SLIM_PORT' : 'DISTROLESS_PORT']);
        const before = await containerState(id);
        // SIGKILL from outside, as the kernel's OOM killer sends it: to Docker, an exit it did not ask for.
        const killed = performance.now();
        process.kill(before.Pid, 'SIGKILL');
        await firstHealthy(port, 30_000, 20);
        const back = (performance.now() - killed) / 1000;
        const after = await containerState(id);
        expect(after.StartedAt).not.toBe(before.StartedAt);
        expect(after.Running).toBe(true);
        const report = reports[service];
        if (report !== undefined) report.restartAfterCrashSeconds = back;
        console.log(`${service}: serving again ${back.toFixed(2)} s after its process was killed`);

        await docker(['kill', id], { check: true });
        // A manual stop: Docker does not restart it, however long one waits.
        await sleep(3_000);
        expect(await containerState(id)).toMatchObject({ Running: false, Restarting: false });
      },
    );
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
      console.log(`${IMAGES_RESULTS_FILE} not written: a check that measures it failed`);
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
    console.log(`${IMAGES_RESULTS_FILE} written; npm run docs:generate -- --update puts it in the README`);
  });
});
