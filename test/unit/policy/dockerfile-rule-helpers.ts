// What the Dockerfile rules share: the rule type, instruction helpers and the allow-lists.
import { Arg, Env, ModifiableInstruction, type Instruction } from 'dockerfile-ast';
import { argumentsOf, lineOf, type ParsedDockerfile } from './dockerfile.ts';

export interface DockerfileRule {
  id: string;
  /** Why the rule exists, in a sentence: the reason a reader of the failure needs. */
  why: string;
  check(dockerfile: ParsedDockerfile): string[];
}

export const at = (instruction: Instruction) => `line ${lineOf(instruction)}`;

// Flags (--from=build, --chown=…) are not part of an instruction's arguments in dockerfile-ast.
export function flagsOf(instruction: Instruction): Map<string, string> {
  const flags = instruction instanceof ModifiableInstruction ? instruction.getFlags() : [];
  return new Map(flags.map((flag) => [flag.getName(), flag.getValue() ?? '']));
}

/** What the build context may contribute: exactly what .dockerignore lets in. */
export const CONTEXT_ALLOW_LIST = ['package.json', 'package-lock.json', 'scripts/build.ts', 'src/', 'public/'];
/** What the runtime stage may take from the build stages: the bundle only. */
export const RUNTIME_FROM_BUILD = ['/build/dist/'];

export const LABELS_FROM_BUILD_ARGS = ['version', 'revision', 'created'].map(
  (name) => `org.opencontainers.image.${name}`,
);

export const SECRET_NAME = /secret|token|passw|api_?key|private|credential|auth/i;
export const DIGEST = /@sha256:[0-9a-f]{64}$/;
export const EXACT_NODE_TAG = /^node:\d+\.\d+\.\d+-[a-z]+-slim@/;
// A base without a digest is allowed only where a comment says why and how to pin it.
export const DIGEST_EXCEPTION = /no trustworthy digest[\s\S]*imagetools inspect/;

function jsonArray(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return undefined;
    // ["node dist/server.js"] is valid JSON but names a program called "node dist/server.js".
    return value.length > 0 && !/\s/.test(value[0] ?? '') ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The exec-form command of CMD, ENTRYPOINT or HEALTHCHECK CMD, or undefined for shell form. */
export function execForm(instruction: Instruction): string[] | undefined {
  const text = argumentsOf(instruction).trim();
  if (instruction.getKeyword() !== 'HEALTHCHECK') return jsonArray(text);
  const command = /(?:^|\s)CMD\s+([\s\S]*)$/.exec(text)?.[1];
  return command === undefined ? undefined : jsonArray(command.trim());
}

// Every name an ENV or ARG sets: `ENV A=1 B=2` sets two.
export function namesOf(instruction: Instruction): string[] {
  if (instruction instanceof Env) return instruction.getProperties().map((property) => property.getName());
  if (instruction instanceof Arg) return [instruction.getProperty()?.getName() ?? ''];
  return [];
}

// The comment block directly above the global ARG that names this base image.
export function commentAboveArgOf(dockerfile: ParsedDockerfile, image: string): string {
  const argLine = dockerfile.lines.findIndex((line) => line.startsWith('ARG ') && line.endsWith(`=${image}`));
  const comments: string[] = [];
  for (let line = argLine - 1; line >= 0 && dockerfile.lines[line]?.startsWith('#'); line -= 1)
    comments.unshift(dockerfile.lines[line] ?? '');
  return comments.join('\n');
}
