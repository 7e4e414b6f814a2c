import { CONTEXT_ALLOW_LIST } from './dockerfile-rule-helpers.ts';

/** .dockerignore must be an allow-list: ignore everything, then re-include exactly what the build copies. */
export function checkDockerignore(text: string): string[] {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const problems: string[] = [];
  if (patterns[0] !== '*')
    problems.push('the first pattern is not "*": this is a deny-list, and new files would enter the context');
  const reincluded = patterns
    .slice(1)
    .filter((pattern) => pattern.startsWith('!'))
    .map((pattern) => pattern.slice(1));
  const others = patterns.slice(1).filter((pattern) => !pattern.startsWith('!'));
  problems.push(...others.map((pattern) => `"${pattern}" after the allow-list: only re-inclusions belong there`));
  problems.push(
    ...reincluded
      .filter((path) => !CONTEXT_ALLOW_LIST.includes(path))
      .map((path) => `re-includes ${path}, which no build step copies`),
  );
  problems.push(
    ...CONTEXT_ALLOW_LIST.filter((path) => !reincluded.includes(path)).map(
      (path) => `does not re-include ${path}, which the build copies`,
    ),
  );
  return problems;
}
