import { Arg, Env, ModifiableInstruction, type Instruction } from 'dockerfile-ast';
import { argumentsOf, instructionsOf, lineOf, type ParsedDockerfile } from './dockerfile.ts';

export interface DockerfileRule {
  id: string;
  /** Why the rule exists, as the README's best-practices section explains it. */
  why: string;
  check(dockerfile: ParsedDockerfile): string[];
}

const at = (instruction: Instruction) => `line ${lineOf(instruction)}`;

// Flags (--from=build, --chown=…) are not part of an instruction's arguments in dockerfile-ast.
function flagsOf(instruction: Instruction): Map<string, string> {
  const flags = instruction instanceof ModifiableInstruction ? instruction.getFlags() : [];
  return new Map(flags.map((flag) => [flag.getName(), flag.getValue() ?? '']));
}

/** What the build context may contribute: exactly what .dockerignore lets in. */
export const CONTEXT_ALLOW_LIST = ['package.json', 'package-lock.json', 'scripts/build.ts', 'src/', 'public/'];
/** What the runtime stage may take from the build stages: the bundle only. */
export const RUNTIME_FROM_BUILD = ['/build/dist/'];

export const OCI_LABELS = ['title', 'description', 'source', 'licenses', 'version', 'revision', 'created'].map(
  (name) => `org.opencontainers.image.${name}`,
);
const LABELS_FROM_BUILD_ARGS = ['version', 'revision', 'created'].map((name) => `org.opencontainers.image.${name}`);

const SECRET_NAME = /secret|token|passw|api_?key|private|credential|auth/i;
const DIGEST = /@sha256:[0-9a-f]{64}$/;
const EXACT_NODE_TAG = /^node:\d+\.\d+\.\d+-[a-z]+-slim@/;
// A base without a digest is allowed only where a comment says why and how to pin it.
const DIGEST_EXCEPTION = /no trustworthy digest[\s\S]*imagetools inspect/;

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
function namesOf(instruction: Instruction): string[] {
  if (instruction instanceof Env) return instruction.getProperties().map((property) => property.getName());
  if (instruction instanceof Arg) return [instruction.getProperty()?.getName() ?? ''];
  return [];
}

// The comment block directly above the global ARG that names this base image.
function commentAboveArgOf(dockerfile: ParsedDockerfile, image: string): string {
  const argLine = dockerfile.lines.findIndex((line) => line.startsWith('ARG ') && line.endsWith(`=${image}`));
  const comments: string[] = [];
  for (let line = argLine - 1; line >= 0 && dockerfile.lines[line]?.startsWith('#'); line -= 1) comments.unshift(dockerfile.lines[line] ?? '');
  return comments.join('\n');
}

export const DOCKERFILE_RULES: DockerfileRule[] = [
  {
    id: 'pinned-base (DL3006, DL3007)',
    why: 'A tag can be moved; an exact version plus a digest always names the same bytes.',
    check(dockerfile) {
      return dockerfile.stages
        .filter((stage) => !stage.fromStage)
        .flatMap((stage) => {
          const problems: string[] = [];
          if (/:latest(@|$)/.test(stage.base) || !/:[^/@]+/.test(stage.base)) problems.push(`stage ${stage.name}: ${stage.base} has no explicit tag (or uses latest)`);
          if (stage.base.startsWith('node:') && !EXACT_NODE_TAG.test(stage.base)) problems.push(`stage ${stage.name}: ${stage.base} is not an exact Node version`);
          if (!DIGEST.test(stage.base) && !DIGEST_EXCEPTION.test(commentAboveArgOf(dockerfile, stage.base))) {
            problems.push(`stage ${stage.name}: ${stage.base} is not pinned by digest, and no comment says why`);
          }
          return problems;
        });
    },
  },
  {
    id: 'multi-stage',
    why: 'Compilers, dev dependencies and caches stay in build stages; the runtime stage only receives files.',
    check(dockerfile) {
      const problems: string[] = [];
      if (dockerfile.stages.length < 2) problems.push('a single stage: build tools would ship in the image');
      if (dockerfile.runtime.name !== 'runtime') problems.push(`the last stage is "${dockerfile.runtime.name}", not "runtime"`);
      for (const run of instructionsOf(dockerfile.runtime, 'RUN')) problems.push(`${at(run)}: RUN in the runtime stage (build in a build stage)`);
      return problems;
    },
  },
  {
    id: 'non-root-user (DL3002)',
    why: 'A numeric, non-zero USER runs the app without root, and Kubernetes runAsNonRoot can verify a number.',
    check(dockerfile) {
      const user = instructionsOf(dockerfile.runtime, 'USER').at(-1);
      if (user === undefined) return ['the runtime stage sets no USER: it would run as root'];
      const value = argumentsOf(user).trim();
      const match = /^(\d+):(\d+)$/.exec(value);
      if (match === null) return [`${at(user)}: USER ${value} is not numeric uid:gid`];
      return match[1] === '0' || match[2] === '0' ? [`${at(user)}: USER ${value} is root`] : [];
    },
  },
  {
    id: 'exec-form (DL3025)',
    why: 'Without a shell in between, Node is PID 1 and receives SIGTERM itself; distroless has no shell anyway.',
    check(dockerfile) {
      return dockerfile.stages
        .flatMap((stage) => [...instructionsOf(stage, 'CMD'), ...instructionsOf(stage, 'ENTRYPOINT'), ...instructionsOf(stage, 'HEALTHCHECK')])
        .filter((instruction) => execForm(instruction) === undefined)
        .map((instruction) => `${at(instruction)}: ${instruction.getKeyword()} is not in exec (JSON) form`);
    },
  },
  {
    id: 'no-add (DL3020)',
    why: 'ADD fetches URLs and unpacks archives implicitly; COPY does only what it says.',
    check(dockerfile) {
      return dockerfile.stages.flatMap((stage) => instructionsOf(stage, 'ADD')).map((add) => `${at(add)}: ADD (use COPY)`);
    },
  },
  {
    id: 'expose-5000',
    why: 'Documents the one port the app listens on.',
    check(dockerfile) {
      const ports = instructionsOf(dockerfile.runtime, 'EXPOSE').map((expose) => argumentsOf(expose).trim());
      return ports.length === 1 && ports[0] === '5000' ? [] : [`the runtime stage exposes ${ports.join(', ') || 'nothing'}, not exactly 5000`];
    },
  },
  {
    id: 'node-env-production',
    why: 'Libraries such as Express switch off development behaviour (verbose errors, view cache misses).',
    check(dockerfile) {
      const set = instructionsOf(dockerfile.runtime, 'ENV').some((env) => /(^|\s)NODE_ENV=production(\s|$)/.test(argumentsOf(env)));
      return set ? [] : ['the runtime stage does not set NODE_ENV=production'];
    },
  },
  {
    id: 'no-npm-at-runtime',
    why: 'npm would sit between Docker and Node, swallowing signals; the runtime runs node directly.',
    check(dockerfile) {
      return [...instructionsOf(dockerfile.runtime, 'CMD'), ...instructionsOf(dockerfile.runtime, 'ENTRYPOINT'), ...instructionsOf(dockerfile.runtime, 'HEALTHCHECK')]
        .filter((instruction) => /\b(npm|npx|yarn|pnpm)\b/.test(argumentsOf(instruction)))
        .map((instruction) => `${at(instruction)}: ${instruction.getKeyword()} runs a package manager`);
    },
  },
  {
    id: 'copy-allow-list',
    why: 'Only the files a step needs are copied, so nothing else can leak into a layer or bust its cache.',
    check(dockerfile) {
      return dockerfile.stages.flatMap((stage) =>
        instructionsOf(stage, 'COPY').flatMap((copy) => {
          const sources = argumentsOf(copy).split(/\s+/).filter(Boolean).slice(0, -1);
          const flags = flagsOf(copy);
          const from = flags.get('from');
          const problems: string[] = [];
          if (stage === dockerfile.runtime && (flags.has('chown') || flags.has('chmod'))) {
            problems.push(`${at(copy)}: --chown/--chmod in the runtime stage (the app's files stay root-owned, read-only to it)`);
          }
          // Between build stages anything may move; from the context and into the runtime, only the lists.
          const allowed = from === undefined ? CONTEXT_ALLOW_LIST : stage === dockerfile.runtime ? RUNTIME_FROM_BUILD : sources;
          for (const source of sources) {
            if (!allowed.includes(source)) problems.push(`${at(copy)}: copies ${source}${from === undefined ? '' : ` from ${from}`}, which is not on the allow-list`);
          }
          return problems;
        }),
      );
    },
  },
  {
    id: 'no-secrets-in-env-or-arg',
    why: 'ENV and ARG values are stored in the image history; secrets go through --mount=type=secret only.',
    check(dockerfile) {
      return dockerfile.stages
        .flatMap((stage) => [...instructionsOf(stage, 'ENV'), ...instructionsOf(stage, 'ARG')])
        .flatMap((instruction) => namesOf(instruction).filter((name) => SECRET_NAME.test(name)).map((name) => `${at(instruction)}: ${instruction.getKeyword()} ${name} looks like a secret`))
        .concat(
          [...dockerfile.globalArgs.keys()].filter((name) => SECRET_NAME.test(name)).map((name) => `global ARG ${name} looks like a secret`),
        );
    },
  },
  {
    id: 'oci-labels',
    why: 'Registries, scanners and people read title, source, version and revision from standard labels.',
    check(dockerfile) {
      const text = instructionsOf(dockerfile.runtime, 'LABEL').map(argumentsOf).join(' ');
      const problems = OCI_LABELS.filter((label) => !text.includes(`${label}=`)).map((label) => `missing label ${label}`);
      for (const label of LABELS_FROM_BUILD_ARGS) {
        if (text.includes(`${label}=`) && !new RegExp(`${label.replaceAll('.', '\\.')}="?\\$\\{\\w+\\}`).test(text)) problems.push(`${label} is not filled from a build argument`);
      }
      return problems;
    },
  },
  {
    id: 'healthcheck',
    why: 'Docker (and compose) can tell a running container from a serving one; Node is the probe, so no shell is needed.',
    check(dockerfile) {
      const checks = instructionsOf(dockerfile.runtime, 'HEALTHCHECK');
      const command = checks[0] === undefined ? undefined : execForm(checks[0]);
      if (checks.length !== 1 || command === undefined) return ['the runtime stage needs exactly one exec-form HEALTHCHECK'];
      const [program, ...args] = command;
      const runsProbe = (program === 'node' || program === '/nodejs/bin/node') && args.length === 1 && args[0] === 'dist/healthcheck.js';
      return runsProbe ? [] : [`HEALTHCHECK runs ${command.join(' ')}, not node dist/healthcheck.js`];
    },
  },
  {
    id: 'npm-cache-mount',
    why: "npm's download cache lives in a BuildKit cache mount, never in a layer.",
    check(dockerfile) {
      return dockerfile.stages
        .flatMap((stage) => instructionsOf(stage, 'RUN'))
        .filter((run) => /\bnpm (ci|install|i)\b/.test(argumentsOf(run)) && !run.getTextContent().includes('--mount=type=cache,target=/root/.npm'))
        .map((run) => `${at(run)}: npm installs without a cache mount on /root/.npm`);
    },
  },
  {
    id: 'lockfile-first',
    why: 'Dependencies install from package.json and the lockfile alone, so a source edit reuses that layer.',
    check(dockerfile) {
      return dockerfile.stages.flatMap((stage) => {
        const install = stage.instructions.findIndex((instruction) => instruction.getKeyword() === 'RUN' && /\bnpm ci\b/.test(argumentsOf(instruction)));
        if (install < 0) return [];
        return stage.instructions
          .slice(0, install)
          .filter((instruction) => instruction.getKeyword() === 'COPY' && argumentsOf(instruction).trim() !== 'package.json package-lock.json ./')
          .map((copy) => `${at(copy)}: copies ${argumentsOf(copy)} before npm ci`);
      });
    },
  },
  {
    id: 'workdir-before-relative-copy (DL3045)',
    why: 'A relative COPY destination without WORKDIR lands wherever the base image happens to point.',
    check(dockerfile) {
      return dockerfile.stages.flatMap((stage) => {
        let workdir = stage.fromStage;
        const problems: string[] = [];
        for (const instruction of stage.instructions) {
          if (instruction.getKeyword() === 'WORKDIR') workdir = true;
          if (instruction.getKeyword() !== 'COPY' || workdir) continue;
          const destination = argumentsOf(instruction).trim().split(/\s+/).at(-1) ?? '';
          if (!destination.startsWith('/')) problems.push(`${at(instruction)}: COPY to relative ${destination} before any WORKDIR`);
        }
        return problems;
      });
    },
  },
  {
    id: 'app-folder-owned-by-root',
    why: 'WORKDIR creates a missing folder as the current user (distroless: nonroot), who could then replace the app.',
    check(dockerfile) {
      const instructions = dockerfile.runtime.instructions;
      const firstCopy = instructions.findIndex((instruction) => instruction.getKeyword() === 'COPY');
      return instructions
        .slice(0, firstCopy < 0 ? instructions.length : firstCopy)
        .filter((instruction) => instruction.getKeyword() === 'WORKDIR')
        .map((workdir) => `${at(workdir)}: WORKDIR before the COPY that creates the app folder as root`);
    },
  },
  {
    id: 'hadolint-ignore-has-reason',
    why: 'An ignored lint rule is a decision; the comment above it says why, naming each rule it silences.',
    check(dockerfile) {
      return dockerfile.lines.flatMap((line, index) => {
        const ignored = /^# hadolint ignore=(\S+)/.exec(line)?.[1]?.split(',');
        if (ignored === undefined) return [];
        const reason: string[] = [];
        for (let above = index - 1; above >= 0 && /^# (?!hadolint ignore)/.test(dockerfile.lines[above] ?? ''); above -= 1) reason.unshift(dockerfile.lines[above] ?? '');
        const unexplained = ignored.filter((rule) => !reason.join(' ').includes(rule));
        return unexplained.length === 0 ? [] : [`line ${String(index + 1)}: ignores ${unexplained.join(', ')} without a comment above saying why`];
      });
    },
  },
  {
    id: 'pipefail (DL4006)',
    why: 'Without pipefail, a failing command before a pipe goes unnoticed and the build carries on.',
    check(dockerfile) {
      const pipefail = dockerfile.stages.some((stage) => instructionsOf(stage, 'SHELL').some((shell) => argumentsOf(shell).includes('pipefail')));
      if (pipefail) return [];
      return dockerfile.stages
        .flatMap((stage) => instructionsOf(stage, 'RUN'))
        .filter((run) => /(^|[^|])\|([^|]|$)/.test(argumentsOf(run)))
        .map((run) => `${at(run)}: a pipe without SHELL ["/bin/bash", "-o", "pipefail", "-c"]`);
    },
  },
];

/** The build stages, as text between the two section markers both Dockerfiles carry. */
export function buildStagesText(dockerfile: ParsedDockerfile): string | undefined {
  const start = dockerfile.text.indexOf('# ---- build stages');
  const end = dockerfile.text.indexOf('# ---- runtime ----');
  return start < 0 || end < start ? undefined : dockerfile.text.slice(start, end);
}

/** The two files' build stages must match byte for byte, and hold every stage but the runtime. */
export function checkIdenticalBuildStages(slim: ParsedDockerfile, distroless: ParsedDockerfile): string[] {
  const problems: string[] = [];
  const [slimStages, distrolessStages] = [buildStagesText(slim), buildStagesText(distroless)];
  if (slimStages === undefined || distrolessStages === undefined) return ['a Dockerfile lacks the "# ---- build stages" / "# ---- runtime ----" markers'];
  if (slimStages !== distrolessStages) problems.push('the build stages differ between the two Dockerfiles');
  for (const dockerfile of [slim, distroless]) {
    const outside = dockerfile.stages.slice(0, -1).filter((stage) => !(buildStagesText(dockerfile) ?? '').includes(`AS ${stage.name}\n`));
    problems.push(...outside.map((stage) => `${dockerfile.file}: stage ${stage.name} is outside the shared build stages`));
  }
  return problems;
}
