import ts from 'typescript';

// Every rendered object checked against the Kubernetes 1.30 API types (the npm package kubernetes-types,
// generated from Kubernetes' OpenAPI definitions; its minor version is the API's), by the TypeScript
// compiler: each object becomes a typed object literal, so a wrong type, a missing required field and an
// unknown field (TypeScript's excess-property check) are all errors. A validator built on JSON Schema
// alone, such as kubernetes-models, lets unknown fields through.
const TYPES: Record<string, [module: string, type: string]> = {
  'v1 Namespace': ['core/v1', 'Namespace'],
  'v1 Service': ['core/v1', 'Service'],
  'apps/v1 Deployment': ['apps/v1', 'Deployment'],
  'policy/v1 PodDisruptionBudget': ['policy/v1', 'PodDisruptionBudget'],
  'networking.k8s.io/v1 NetworkPolicy': ['networking/v1', 'NetworkPolicy'],
};

export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
}

const FILE = 'manifests.ts';

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
  // The language's own types only: the default library for the target adds the DOM's, which only cost time.
  lib: ['lib.es2022.d.ts'],
  types: [],
  skipLibCheck: true,
};

// The libraries and kubernetes-types, parsed once for every check in the run: parsing them is most of the
// compiler's time (measured on a shared 2-core machine: 0.8 to 2.4 s a check before; 0.2 s after the first).
const PARSED = new Map<string, ts.SourceFile>();

/** One line per problem: the object, and what the compiler says about it. */
export function checkSchema(objects: KubernetesObject[]): string[] {
  const problems: string[] = [];
  const declarations: { name: string; line: number }[] = [];
  const lines: string[] = [];
  objects.forEach((object, index) => {
    const name = `${String(object.kind)}/${String(object.metadata?.name)}`;
    const type = TYPES[`${String(object.apiVersion)} ${String(object.kind)}`];
    if (type === undefined) {
      problems.push(`${name}: ${String(object.apiVersion)} ${String(object.kind)} is not a kind these manifests use`);
      return;
    }
    const declaration = `export const object${index}: import('kubernetes-types/${type[0]}').${type[1]} = ${JSON.stringify(object, null, 2)};`;
    declarations.push({ name, line: lines.length });
    lines.push(...declaration.split('\n'));
  });
  const source = lines.join('\n');
  const host = ts.createCompilerHost(OPTIONS);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (file) => (file.endsWith(FILE) ? source : readFile(file));
  host.fileExists = (file) => file.endsWith(FILE) || fileExists(file);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language) => {
    if (file.endsWith(FILE)) return ts.createSourceFile(file, source, language);
    const parsed = PARSED.get(file) ?? getSourceFile(file, language);
    if (parsed !== undefined) PARSED.set(file, parsed);
    return parsed;
  };
  const program = ts.createProgram([`${process.cwd()}/${FILE}`], OPTIONS, host);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const line = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line ?? 0;
    const owner = [...declarations].reverse().find((declaration) => declaration.line <= line);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    // The line of the object literal the compiler points at: `"replicas": "two",`.
    const at = (lines[line] ?? '').trim().replace(/,$/, '');
    problems.push(`${owner?.name ?? 'manifests'}: ${message} (at ${at})`);
  }
  return problems;
}
