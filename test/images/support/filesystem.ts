import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, run } from './engine.ts';

interface Entry {
  path: string;
  /** "-rwsr-xr-x": the type letter and permission bits, as tar prints them. */
  mode: string;
  /** "uid/gid" */
  owner: string;
  size: number;
}

export interface Filesystem {
  entries: Entry[];
  has(path: string): boolean;
  read(path: string): Promise<string>;
  dispose(): Promise<void>;
}

/**
 * The image's files, from `docker create` + `docker export`: that needs nothing inside the image (no shell,
 * no tar), so it works on distroless too.
 */
export async function exportFilesystem(tag: string): Promise<Filesystem> {
  const folder = await mkdtemp(join(tmpdir(), 'moscow-time-export-'));
  const archive = join(folder, 'rootfs.tar');
  const id = (await docker(['create', tag], { check: true })).stdout.trim();
  try {
    await docker(['export', '-o', archive, id], { check: true });
  } finally {
    await docker(['rm', id]);
  }
  const listing = (await run('tar', ['-tvf', archive, '--numeric-owner'], { check: true })).stdout;
  const entries = listing
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [mode = '', owner = '', size = '0', , , ...rest] = line.split(/\s+/);
      const path = rest
        .join(' ')
        .replace(/ -> .*$/, '')
        .replace(/ link to .*$/, '')
        .replace(/\/$/, '');
      return { path, mode, owner, size: Number(size) };
    });
  const paths = new Set(entries.map((entry) => entry.path));
  return {
    entries,
    has: (path) => paths.has(path.replace(/^\//, '')),
    read: async (path) => (await run('tar', ['-xOf', archive, path.replace(/^\//, '')], { check: true })).stdout,
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
}
