import { BASE_IMAGE_RULES } from './dockerfile-rules-base-image.ts';
import { BUILD_RULES } from './dockerfile-rules-build.ts';
import { RUNTIME_RULES } from './dockerfile-rules-runtime.ts';
import type { ParsedDockerfile } from './dockerfile.ts';
import type { DockerfileRule } from './dockerfile-rule-helpers.ts';

export type { DockerfileRule } from './dockerfile-rule-helpers.ts';

export const DOCKERFILE_RULES: DockerfileRule[] = [...BASE_IMAGE_RULES, ...BUILD_RULES, ...RUNTIME_RULES];

/** The build stages, as text between the two section markers both Dockerfiles carry. */
function buildStagesText(dockerfile: ParsedDockerfile): string | undefined {
  const start = dockerfile.text.indexOf('# ---- build stages');
  const end = dockerfile.text.indexOf('# ---- runtime ----');
  return start < 0 || end < start ? undefined : dockerfile.text.slice(start, end);
}

/** The two files' build stages must match byte for byte, and hold every stage but the runtime. */
export function checkIdenticalBuildStages(slim: ParsedDockerfile, distroless: ParsedDockerfile): string[] {
  const problems: string[] = [];
  const [slimStages, distrolessStages] = [buildStagesText(slim), buildStagesText(distroless)];
  if (slimStages === undefined || distrolessStages === undefined)
    return ['a Dockerfile lacks the "# ---- build stages" / "# ---- runtime ----" markers'];
  if (slimStages !== distrolessStages) problems.push('the build stages differ between the two Dockerfiles');
  for (const dockerfile of [slim, distroless]) {
    const outside = dockerfile.stages
      .slice(0, -1)
      .filter((stage) => !(buildStagesText(dockerfile) ?? '').includes(`AS ${stage.name}\n`));
    problems.push(
      ...outside.map((stage) => `${dockerfile.file}: stage ${stage.name} is outside the shared build stages`),
    );
  }
  return problems;
}
