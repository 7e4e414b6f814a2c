// renovate.json's regex managers, applied to a file the way Renovate applies them (each match string over
// the whole file, every match a dependency; a template, when given, wins over the capture group of the same
// name), so a test can show offline which pins they find. Only what renovate.json uses is modelled: file
// patterns written as /regex/, and templates that are plain text.

interface RegexManager {
  customType: 'regex';
  description?: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  depNameTemplate?: string;
  datasourceTemplate?: string;
}

export interface RenovateConfig {
  ignoreDeps?: string[];
  customManagers?: RegexManager[];
  packageRules?: { groupName?: string; matchPackageNames?: string[]; matchUpdateTypes?: string[]; enabled?: boolean }[];
}

interface ExtractedDep {
  depName: string;
  currentValue: string;
  currentDigest?: string;
  datasource: string;
  /** The text the match string matched, which an update rewrites. */
  matched: string;
}

function patternMatches(pattern: string, path: string): boolean {
  const regex = /^\/(.*)\/$/.exec(pattern)?.[1];
  if (regex === undefined) throw new Error(`file pattern ${pattern}: only /regex/ patterns are modelled here`);
  return new RegExp(regex).test(path);
}

function literal(template: string | undefined, what: string): string | undefined {
  if (template?.includes('{{') === true) throw new Error(`${what} ${template}: only plain-text templates are modelled`);
  return template;
}

/** The dependencies renovate.json's regex managers extract from one file. */
export function extractDeps(config: RenovateConfig, path: string, text: string): ExtractedDep[] {
  const managers = (config.customManagers ?? []).filter((manager) =>
    manager.managerFilePatterns.some((p) => patternMatches(p, path)),
  );
  return managers.flatMap((manager) =>
    manager.matchStrings.flatMap((matchString) =>
      [...text.matchAll(new RegExp(matchString, 'g'))].map((match) => {
        const groups = match.groups ?? {};
        const dep: ExtractedDep = {
          depName: literal(manager.depNameTemplate, 'depNameTemplate') ?? groups.depName ?? '',
          currentValue: groups.currentValue ?? '',
          datasource: literal(manager.datasourceTemplate, 'datasourceTemplate') ?? groups.datasource ?? '',
          matched: match[0],
        };
        if (groups.currentDigest !== undefined) dep.currentDigest = groups.currentDigest;
        return dep;
      }),
    ),
  );
}

// A version (24.21.0, v0.70.0) or a digest: what Renovate should keep current.
const PIN = /\d+\.\d+|@sha256:/;

/**
 * The workflow-level env: variables that hold a pin no regex manager extracts in full: Renovate would never
 * update them. `env` is the parsed env: mapping of the same file.
 */
export function unmanagedPins(config: RenovateConfig, path: string, text: string, env: Record<string, unknown>) {
  const deps = extractDeps(config, path, text);
  return Object.entries(env)
    .filter(([, value]) => PIN.test(String(value)))
    .filter(([name, value]) => {
      const found = deps.filter((dep) => new RegExp(`\\b${name}:`).test(dep.matched));
      return found.length !== 1 || found[0] === undefined || !String(value).endsWith(pinOf(found[0]));
    })
    .map(([name]) => name);
}

/** The part of the text an update rewrites: the version, and the digest after it. */
export function pinOf(dep: ExtractedDep): string {
  return dep.currentDigest === undefined ? dep.currentValue : `${dep.currentValue}@${dep.currentDigest}`;
}
