// Debian trixie roots for the stand-in base images, fetched with trixie's own apt from the mirror this
// machine uses (the build host may run an older Debian).
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../test/images/support/engine.ts';
import type { Report } from './progress.ts';

const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

// GoogleContainerTools/distroless: static/config.bzl, base/config.bzl and cc/config.bzl for debian13;
// ca-certificates contributes only its bundle, as the cacerts rule in common/BUILD.bazel does.
export const DISTROLESS_PACKAGES = [
  'base-files',
  'netbase',
  'tzdata',
  'tzdata-legacy',
  'media-types',
  'libc6',
  'libssl3t64',
  'libzstd1',
  'zlib1g',
  'libgomp1',
  'libstdc++6',
  'libgcc-s1',
  'gcc-14-base',
];

export async function sh(
  file: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
  onLine?: (line: string) => void,
): Promise<string> {
  return (
    await run(file, args, {
      check: true,
      ...(env === undefined ? {} : { env }),
      ...(onLine === undefined ? {} : { onLine }),
    })
  ).stdout;
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

/**
 * How far debootstrap has got, from the lines it prints: "I: Retrieving apt 3.0.4" (and "I: Validating apt
 * 3.0.4") for each package it downloads, then "I: Extracting apt...", "I: Unpacking apt..." and
 * "I: Configuring apt..." for each in turn. Its other lines say what it does between those
 * ("I: Resolving dependencies of base packages...").
 */
export function debootstrapProgress(report: Report): (line: string) => void {
  let packages = 0;
  const done = { Extracting: 0, Unpacking: 0, Configuring: 0 };
  return (line) => {
    if (/^I: Validating \S+ \S+/.test(line)) return;
    if (/^I: Retrieving \S+ \S+/.test(line)) {
      packages += 1;
      report(`packages retrieved: ${String(packages)}`);
      return;
    }
    const phase = /^I: (Extracting|Unpacking|Configuring) \S+\.\.\.$/.exec(line)?.[1] as keyof typeof done | undefined;
    if (phase !== undefined) {
      done[phase] += 1;
      report(`${phase.toLowerCase()}: ${String(done[phase])} of ${String(packages)} packages`);
    } else if (line.startsWith('I: ')) {
      report(
        line
          .slice('I: '.length)
          .replace(/\.\.\.$/, '')
          .trim(),
      );
    }
  };
}

/** A minimal trixie root (debootstrap's minbase variant: essential packages and apt). */
export async function debootstrap(root: string, mirror: string, report: Report): Promise<void> {
  await sh('debootstrap', ['--variant=minbase', 'trixie', root, mirror], undefined, debootstrapProgress(report));
}

/** Brings the trixie root up to date and fetches the distroless packages with trixie's own apt (the host may be older). */
export async function downloadDebs(root: string, mirror: string, work: string, report: Report): Promise<string> {
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
  report('apt-get update');
  await sh('chroot', [root, 'apt-get', ...apt, 'update'], env);
  report('apt-get upgrade');
  await sh('chroot', [root, 'apt-get', ...apt, '-y', 'upgrade'], env);
  await mkdir(join(root, 'tmp/debs'));
  const wanted = [...DISTROLESS_PACKAGES, 'ca-certificates'];
  report(`apt-get download: ${String(wanted.length)} packages`);
  await sh(
    'chroot',
    [root, 'sh', '-c', 'cd /tmp/debs && exec apt-get "$@" download ' + wanted.join(' '), 'sh', ...apt],
    env,
  );
  const debs = join(work, 'debs');
  await sh('mv', [join(root, 'tmp/debs'), debs]);
  await rm(join(root, 'tmp/host-ca.crt'), { force: true });
  return debs;
}
