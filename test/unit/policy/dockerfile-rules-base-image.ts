// Rules on the base images and the stages built on them.
import { instructionsOf } from './dockerfile.ts';
import {
  at,
  flagsOf,
  commentAboveArgOf,
  DIGEST,
  EXACT_NODE_TAG,
  DIGEST_EXCEPTION,
  type DockerfileRule,
} from './dockerfile-rule-helpers.ts';

export const BASE_IMAGE_RULES: DockerfileRule[] = [
  {
    id: 'pinned-base (DL3006, DL3007)',
    why: 'A tag can be moved; an exact version plus a digest always names the same bytes.',
    check(dockerfile) {
      return dockerfile.stages
        .filter((stage) => !stage.fromStage)
        .flatMap((stage) => {
          const problems: string[] = [];
          if (/:latest(@|$)/.test(stage.base) || !/:[^/@]+/.test(stage.base))
            problems.push(`stage ${stage.name}: ${stage.base} has no explicit tag (or uses latest)`);
          if (stage.base.startsWith('node:') && !EXACT_NODE_TAG.test(stage.base))
            problems.push(`stage ${stage.name}: ${stage.base} is not an exact Node version`);
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
      if (dockerfile.runtime.name !== 'runtime')
        problems.push(`the last stage is "${dockerfile.runtime.name}", not "runtime"`);
      for (const run of instructionsOf(dockerfile.runtime, 'RUN'))
        problems.push(`${at(run)}: RUN in the runtime stage (build in a build stage)`);
      return problems;
    },
  },
  {
    id: 'build-on-build-platform',
    why: 'The build stages run on the build machine (their output is plain JavaScript) and the runtime stage only copies, so an arm64 image builds without emulation.',
    check(dockerfile) {
      const problems: string[] = [];
      for (const stage of dockerfile.stages.filter((entry) => !entry.fromStage && entry !== dockerfile.runtime)) {
        const from = stage.instructions[0];
        const platform = from === undefined ? undefined : flagsOf(from).get('platform');
        if (from !== undefined && platform !== '$BUILDPLATFORM')
          problems.push(
            `${at(from)}: build stage ${stage.name} runs on ${platform ?? 'the target platform'}, not --platform=$BUILDPLATFORM`,
          );
      }
      const runtimeFrom = dockerfile.runtime.instructions[0];
      if (runtimeFrom !== undefined && flagsOf(runtimeFrom).has('platform'))
        problems.push(`${at(runtimeFrom)}: the runtime stage must be the target platform's (no --platform)`);
      return problems;
    },
  },
];
