// The stand-in for node:<version>-trixie-slim: a trixie minbase root laid out as the official image is.
import { chmod, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sh } from './debian-root.ts';

export async function assembleSlim(root: string, nodeVersion: string, nodePkg: string, npmPkg: string): Promise<void> {
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
  await sh('sh', [
    '-c',
    'cd "$1/usr/share" && find doc -mindepth 1 ! -name copyright ! -type d -delete && find doc -mindepth 1 -type d -empty -delete && rm -rf groff/* info/* linda/* lintian/overrides/* locale/* man/*',
    'sh',
    root,
  ]);

  await sh('chroot', [root, 'groupadd', '--gid', '1000', 'node']);
  await sh('chroot', [
    root,
    'useradd',
    '--uid',
    '1000',
    '--gid',
    'node',
    '--shell',
    '/bin/bash',
    '--create-home',
    'node',
  ]);

  // The layout of the nodejs.org tarball unpacked into /usr/local, as the official Dockerfile does.
  const local = join(root, 'usr/local');
  await sh('tar', [
    '-xzf',
    nodePkg,
    '-C',
    local,
    '--strip-components=1',
    '--no-same-owner',
    '--exclude=package/package.json',
  ]);
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
  await sh('sh', [
    '-c',
    'cd "$1" && rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/cache/apt/archives/partial/* var/log/apt/* tmp/* && : > etc/resolv.conf',
    'sh',
    root,
  ]);
}
