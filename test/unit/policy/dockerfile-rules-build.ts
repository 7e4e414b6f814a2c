// Rules on how the build stages install and copy.
import { argumentsOf, instructionsOf } from './dockerfile.ts';
import {
  at,
  flagsOf,
  namesOf,
  CONTEXT_ALLOW_LIST,
  RUNTIME_FROM_BUILD,
  SECRET_NAME,
  type DockerfileRule,
} from './dockerfile-rule-helpers.ts';

export const BUILD_RULES: DockerfileRule[] = [
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
            problems.push(
              `${at(copy)}: --chown/--chmod in the runtime stage (the app's files stay root-owned, read-only to it)`,
            );
          }
          // Between build stages anything may move; from the context and into the runtime, only the lists.
          const allowed =
            from === undefined ? CONTEXT_ALLOW_LIST : stage === dockerfile.runtime ? RUNTIME_FROM_BUILD : sources;
          for (const source of sources) {
            if (!allowed.includes(source))
              problems.push(
                `${at(copy)}: copies ${source}${from === undefined ? '' : ` from ${from}`}, which is not on the allow-list`,
              );
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
        .flatMap((instruction) =>
          namesOf(instruction)
            .filter((name) => SECRET_NAME.test(name))
            .map((name) => `${at(instruction)}: ${instruction.getKeyword()} ${name} looks like a secret`),
        )
        .concat(
          [...dockerfile.globalArgs.keys()]
            .filter((name) => SECRET_NAME.test(name))
            .map((name) => `global ARG ${name} looks like a secret`),
        );
    },
  },
  {
    id: 'npm-cache-mount',
    why: "npm's download cache lives in a BuildKit cache mount, never in a layer.",
    check(dockerfile) {
      return dockerfile.stages
        .flatMap((stage) => instructionsOf(stage, 'RUN'))
        .filter(
          (run) =>
            /\bnpm (ci|install|i)\b/.test(argumentsOf(run)) &&
            !run.getTextContent().includes('--mount=type=cache,target=/root/.npm'),
        )
        .map((run) => `${at(run)}: npm installs without a cache mount on /root/.npm`);
    },
  },
  {
    id: 'lockfile-first',
    why: 'Dependencies install from package.json and the lockfile alone, so a source edit reuses that layer.',
    check(dockerfile) {
      return dockerfile.stages.flatMap((stage) => {
        const install = stage.instructions.findIndex(
          (instruction) => instruction.getKeyword() === 'RUN' && /\bnpm ci\b/.test(argumentsOf(instruction)),
        );
        if (install < 0) return [];
        return stage.instructions
          .slice(0, install)
          .filter(
            (instruction) =>
              instruction.getKeyword() === 'COPY' &&
              argumentsOf(instruction).trim() !== 'package.json package-lock.json ./',
          )
          .map((copy) => `${at(copy)}: copies ${argumentsOf(copy)} before npm ci`);
      });
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
        for (
          let above = index - 1;
          above >= 0 && /^# (?!hadolint ignore)/.test(dockerfile.lines[above] ?? '');
          above -= 1
        )
          reason.unshift(dockerfile.lines[above] ?? '');
        const unexplained = ignored.filter((rule) => !reason.join(' ').includes(rule));
        return unexplained.length === 0
          ? []
          : [`line ${String(index + 1)}: ignores ${unexplained.join(', ')} without a comment above saying why`];
      });
    },
  },
];
