// Rules on the runtime stage: what the image runs, as whom, and how.
import { argumentsOf, instructionsOf } from './dockerfile.ts';
import { at, execForm, LABELS_FROM_BUILD_ARGS, type DockerfileRule } from './dockerfile-rule-helpers.ts';

export const RUNTIME_RULES: DockerfileRule[] = [
  {
    id: 'numeric-user',
    why: "Kubernetes' runAsNonRoot can verify a number, not a name; hadolint (DL3002) says the user is not root.",
    check(dockerfile) {
      const user = instructionsOf(dockerfile.runtime, 'USER').at(-1);
      if (user === undefined) return ["the runtime stage sets no USER: it would run as the base image's"];
      const value = argumentsOf(user).trim();
      return /^\d+:\d+$/.test(value) ? [] : [`${at(user)}: USER ${value} is not numeric uid:gid`];
    },
  },
  {
    id: 'expose-5000',
    why: 'Documents the one port the app listens on.',
    check(dockerfile) {
      const ports = instructionsOf(dockerfile.runtime, 'EXPOSE').map((expose) => argumentsOf(expose).trim());
      return ports.length === 1 && ports[0] === '5000'
        ? []
        : [`the runtime stage exposes ${ports.join(', ') || 'nothing'}, not exactly 5000`];
    },
  },
  {
    id: 'node-env-production',
    why: 'Libraries such as Express switch off development behaviour (verbose errors, view cache misses).',
    check(dockerfile) {
      const set = instructionsOf(dockerfile.runtime, 'ENV').some((env) =>
        /(^|\s)NODE_ENV=production(\s|$)/.test(argumentsOf(env)),
      );
      return set ? [] : ['the runtime stage does not set NODE_ENV=production'];
    },
  },
  {
    id: 'no-npm-at-runtime',
    why: 'npm would sit between Docker and Node, swallowing signals; the runtime runs node directly.',
    check(dockerfile) {
      return [
        ...instructionsOf(dockerfile.runtime, 'CMD'),
        ...instructionsOf(dockerfile.runtime, 'ENTRYPOINT'),
        ...instructionsOf(dockerfile.runtime, 'HEALTHCHECK'),
      ]
        .filter((instruction) => /\b(npm|npx|yarn|pnpm)\b/.test(argumentsOf(instruction)))
        .map((instruction) => `${at(instruction)}: ${instruction.getKeyword()} runs a package manager`);
    },
  },
  {
    id: 'labels-from-build-args',
    why: 'The version, revision and time come from the build, not from the file; hadolint (strict-labels, DL3049) checks the rest of the labels.',
    check(dockerfile) {
      const text = instructionsOf(dockerfile.runtime, 'LABEL').map(argumentsOf).join(' ');
      return LABELS_FROM_BUILD_ARGS.filter(
        (label) => !new RegExp(`${label.replaceAll('.', '\\.')}="?\\$\\{\\w+\\}`).test(text),
      ).map((label) => `${label} is not filled from a build argument`);
    },
  },
  {
    id: 'healthcheck',
    why: 'Docker (and compose) can tell a running container from a serving one; Node is the probe, so no shell is needed.',
    check(dockerfile) {
      const checks = instructionsOf(dockerfile.runtime, 'HEALTHCHECK');
      const command = checks[0] === undefined ? undefined : execForm(checks[0]);
      if (checks.length !== 1 || command === undefined)
        return ['the runtime stage needs exactly one exec-form HEALTHCHECK'];
      const [program, ...args] = command;
      const runsProbe =
        (program === 'node' || program === '/nodejs/bin/node') &&
        args.length === 1 &&
        args[0] === 'dist/healthcheck.js';
      return runsProbe ? [] : [`HEALTHCHECK runs ${command.join(' ')}, not node dist/healthcheck.js`];
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
];
