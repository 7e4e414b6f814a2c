import type { Workflow } from './workflow-rules.ts';

// .ci/run and .github/workflows/ci.yml are two runners of one list of steps: the same tools installed, the
// same npm scripts in the same order, with the same REQUIRE_* switches. This reads that list out of each.

export interface CiStep {
  /** "npm ci", "npm test", "npm run lint", ".ci/install-tools". */
  command: string;
  /** The switches (REQUIRE_*, IMAGES_*) set for it, sorted. */
  switches: string[];
}

// Only GitHub can pull the real bases, so only there does the image suite test prebuilt images on them.
const GITHUB_ONLY_SWITCHES = ['IMAGES_PREBUILT', 'REQUIRE_REAL_BASES'];
// The release rehearsed on a loopback registry: on GitHub, the build, sign and publish jobs are the release.
const LOCAL_ONLY_COMMANDS = ['npm run release:rehearse'];

const COMMAND = /(?:^|\s)(npm ci|npm test|npm run [\w:-]+|\.ci\/install-tools)(?=\s|$)/;
const SWITCH = /^(REQUIRE_\w+|IMAGES_\w+)$/;

function stepOf(line: string, env: Record<string, unknown> = {}): CiStep | undefined {
  const command = COMMAND.exec(line)?.[1];
  if (command === undefined) return undefined;
  const inline = [...line.matchAll(/\b((?:REQUIRE|IMAGES)_\w+)=1\b/g)].map((match) => match[1] ?? '');
  const fromEnv = Object.entries(env)
    .filter(([name, value]) => SWITCH.test(name) && String(value) === '1')
    .map(([name]) => name);
  return { command, switches: [...new Set([...inline, ...fromEnv])].sort() };
}

/** The steps of .ci/run, in order: every line that runs an npm command or the tool installer. */
export function stepsOfScript(text: string): CiStep[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('step '))
    .flatMap((line) => stepOf(line) ?? [])
    .filter((step) => !LOCAL_ONLY_COMMANDS.includes(step.command));
}

/**
 * The steps of the workflow's checks and images jobs, in order, with each step's and job's env. Each job
 * runs on a fresh runner, so a later job's own `npm ci` is its set-up, not a step of the list.
 */
export function stepsOfWorkflow(workflow: Workflow, jobs = ['checks', 'images']): CiStep[] {
  const all = jobs.flatMap((name) => {
    const job = workflow.jobs[name];
    return (job?.steps ?? []).flatMap((step) =>
      (step.run ?? '').split('\n').flatMap((line) => stepOf(line, { ...job?.env, ...step.env }) ?? []),
    );
  });
  return all.filter(
    (step, index) => step.command !== 'npm ci' || all.findIndex((other) => other.command === 'npm ci') === index,
  );
}

/** Where the two lists disagree, ignoring the switches only GitHub can honour. */
export function compareCiSteps(script: CiStep[], workflow: CiStep[]): string[] {
  const local = (step: CiStep) => ({
    ...step,
    switches: step.switches.filter((name) => !GITHUB_ONLY_SWITCHES.includes(name)),
  });
  const show = (step: CiStep | undefined) =>
    step === undefined ? '(nothing)' : [...step.switches.map((name) => `${name}=1`), step.command].join(' ');
  const problems: string[] = [];
  for (let index = 0; index < Math.max(script.length, workflow.length); index += 1) {
    const [a, b] = [script[index], workflow[index]];
    const [la, lb] = [a && local(a), b && local(b)];
    if (la?.command !== lb?.command || la?.switches.join() !== lb?.switches.join()) {
      problems.push(`step ${index + 1}: .ci/run runs ${show(la)}, ci.yml runs ${show(lb)}`);
    }
  }
  return problems;
}
