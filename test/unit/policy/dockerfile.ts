import { readFileSync } from 'node:fs';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

export interface Stage {
  name: string;
  /** The FROM image with global ARG defaults substituted ("node:24.21.0-…@sha256:…"), or a stage name. */
  base: string;
  /** Whether base names an earlier stage rather than an image. */
  fromStage: boolean;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  file: string;
  text: string;
  lines: string[];
  globalArgs: Map<string, string>;
  stages: Stage[];
  /** The last stage: what `docker build` produces. */
  runtime: Stage;
}

function substitute(value: string, args: Map<string, string>): string {
  return value.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced?: string, bare?: string) => args.get(braced ?? bare ?? '') ?? whole,
  );
}

export function parseDockerfile(text: string, file = 'Dockerfile'): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property !== null) globalArgs.set(property.getName(), property.getValue() ?? '');
  }
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const [image = '', , alias] = instruction.getArguments().map((argument) => argument.getValue());
      const base = substitute(image, globalArgs);
      stages.push({
        name: alias ?? String(stages.length),
        base,
        fromStage: stages.some((stage) => stage.name === base),
        instructions: [],
      });
    }
    stages.at(-1)?.instructions.push(instruction);
  }
  const runtime = stages.at(-1);
  if (runtime === undefined) throw new Error(`${file}: no FROM instruction`);
  return { file, text, lines: text.split('\n'), globalArgs, stages, runtime };
}

export function readDockerfile(file: string): ParsedDockerfile {
  return parseDockerfile(readFileSync(file, 'utf8'), file);
}

export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
}

/** The instruction's text after its keyword, continuation lines joined. */
export function argumentsOf(instruction: Instruction): string {
  return instruction.getArgumentsContent() ?? '';
}

/** 1-based line number, as editors and GitHub's #L anchors count. */
export function lineOf(instruction: Instruction): number {
  return instruction.getRange().start.line + 1;
}
