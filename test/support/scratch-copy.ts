import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// npm run dev and npm start rewrite dist/, which the other suites run from at the same time: they run in a
// copy of what they read (what .dockerignore lets into the image's build), with the installed packages linked.
const SOURCES = ['package.json', 'scripts/build.ts', 'src', 'public'];

const folders: string[] = [];

export async function scratchCopy(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'moscow-time-scratch-'));
  folders.push(folder);
  await Promise.all(SOURCES.map((source) => cp(source, join(folder, source), { recursive: true })));
  await symlink(join(process.cwd(), 'node_modules'), join(folder, 'node_modules'));
  return folder;
}

export async function removeScratchCopies(): Promise<void> {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}
