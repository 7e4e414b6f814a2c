import { docker } from './engine.ts';
import type { ImageFacts } from './report.ts';
import type { Filesystem } from './filesystem.ts';

const PACKAGE_MANAGERS: Record<string, string[]> = {
  apt: ['usr/bin/apt', 'usr/bin/apt-get'],
  dpkg: ['usr/bin/dpkg'],
  npm: ['usr/local/bin/npm', 'nodejs/bin/npm'],
  npx: ['usr/local/bin/npx', 'nodejs/bin/npx'],
  corepack: ['usr/local/bin/corepack', 'nodejs/bin/corepack'],
  yarn: ['usr/local/bin/yarn'],
};
const SHELLS = ['bin/sh', 'usr/bin/sh', 'bin/bash', 'usr/bin/bash', 'bin/busybox', 'busybox/sh'];

async function inspectImage(
  ref: string,
): Promise<{ size: number; layers: number; user: string; healthcheck: string[] }> {
  const format = '{{json .Size}} {{json (len .RootFS.Layers)}} {{json .Config.User}} {{json .Config.Healthcheck}}';
  const [size, layers, user, healthcheck] = (
    await docker(['image', 'inspect', '--format', format, ref], { check: true })
  ).stdout
    .trim()
    .split(' ');
  return {
    size: Number(size),
    layers: Number(layers),
    user: JSON.parse(user ?? '""') as string,
    healthcheck: (JSON.parse(healthcheck ?? 'null') as { Test?: string[] } | null)?.Test ?? [],
  };
}

// Distroless writes one status file per package into status.d/ (no dpkg to keep a database); Debian keeps one file.
async function debianPackages(filesystem: Filesystem): Promise<number> {
  const statusD = filesystem.entries.filter(
    (entry) => /^var\/lib\/dpkg\/status\.d\/[^/]+$/.test(entry.path) && !entry.path.endsWith('.md5sums'),
  );
  if (statusD.length > 0) return statusD.length;
  if (!filesystem.has('var/lib/dpkg/status')) return 0;
  const status = await filesystem.read('var/lib/dpkg/status');
  return status.split('\n\n').filter((stanza) => /^Status: install ok installed$/m.test(stanza)).length;
}

/** `node --version` as the image runs it: its own entrypoint where that is node (distroless), else `node`. */
export async function nodeVersionOf(tag: string): Promise<string> {
  const entrypoint = (
    await docker(['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', tag], { check: true })
  ).stdout;
  const entrypointIsNode = entrypoint.trim().endsWith('node"]');
  const args = entrypointIsNode ? ['run', '--rm', tag, '--version'] : ['run', '--rm', tag, 'node', '--version'];
  return (await docker(args, { check: true })).stdout.trim();
}

export async function imageFacts(tag: string, baseRef: string, filesystem: Filesystem): Promise<ImageFacts> {
  const [image, base] = [await inspectImage(tag), await inspectImage(baseRef)];
  return {
    sizeBytes: image.size,
    baseSizeBytes: base.size,
    ourLayersBytes: image.size - base.size,
    layers: image.layers,
    ourLayers: image.layers - base.layers,
    files: filesystem.entries.filter((entry) => entry.mode.startsWith('-')).length,
    debianPackages: await debianPackages(filesystem),
    shell: SHELLS.some((path) => filesystem.has(path)),
    packageManagers: Object.entries(PACKAGE_MANAGERS)
      .filter(([, paths]) => paths.some((path) => filesystem.has(path)))
      .map(([name]) => name),
    setuidFiles: filesystem.entries
      .filter((entry) => /^-(.{2}[sS]|.{5}[sS])/.test(entry.mode))
      .map((entry) => `/${entry.path}`),
    user: image.user,
    nodeVersion: await nodeVersionOf(tag),
    healthcheck: image.healthcheck,
  };
}
