import { readFileSync } from 'node:fs';

function argDefault(file: string, name: string): string {
  const value = new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1];
  if (value === undefined) throw new Error(`${file} has no ARG ${name}=…`);
  return value;
}

/** The base images the Dockerfiles pin, read from the Dockerfiles themselves (the one source of truth). */
export function pinnedBases(): { node: string; distroless: string; nodeVersion: string } {
  const node = argDefault('Dockerfile', 'NODE_IMAGE');
  const nodeVersion = /^node:(\d+\.\d+\.\d+)-/.exec(node)?.[1];
  if (nodeVersion === undefined) throw new Error(`NODE_IMAGE ${node} names no exact Node version`);
  return { node, distroless: argDefault('distroless.Dockerfile', 'DISTROLESS_IMAGE'), nodeVersion };
}

/** The value a Dockerfile's ENV gives NODE_OPTIONS (quotes removed). */
export function nodeOptionsOf(dockerfileText: string): string | undefined {
  const match = /^\s*NODE_OPTIONS=(?:"([^"]*)"|(\S+))/m.exec(dockerfileText);
  return match === null ? undefined : (match[1] ?? match[2]);
}

/** The Node flags the runtime's CMD passes before the script (V8 flags NODE_OPTIONS refuses). */
export function cmdNodeFlagsOf(dockerfileText: string): string[] {
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfileText)?.[1];
  if (cmd === undefined) return [];
  const args = JSON.parse(cmd) as string[];
  return args.filter((arg) => arg.startsWith('--'));
}
