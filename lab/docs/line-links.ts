// README links such as [`USER 1000:1000`](Dockerfile#L52) quote the line they point at, so a check can
// tell when an edit has moved the line, and a refresh can move the link after it.

const LINK = /\[`([^`]+)`\]\(([\w.-]+)#L(\d+)\)/g;

export interface LineLink {
  quoted: string;
  file: string;
  line: number;
}

export type ReadFile = (file: string) => string;

export function findLineLinks(markdown: string): LineLink[] {
  return [...markdown.matchAll(LINK)].map(([, quoted = '', file = '', line = '0']) => ({
    quoted,
    file,
    line: Number(line),
  }));
}

function linesStartingWith(text: string, quoted: string): number[] {
  return text.split('\n').flatMap((line, index) => (line.trimStart().startsWith(quoted) ? [index + 1] : []));
}

/** Every link whose line no longer starts with the text the link quotes. */
export function checkLineLinks(markdown: string, read: ReadFile): string[] {
  return findLineLinks(markdown).flatMap(({ quoted, file, line }) => {
    const text = read(file).split('\n')[line - 1];
    return text?.trimStart().startsWith(quoted) === true
      ? []
      : [`${file}#L${line} should show \`${quoted}\` but shows ${JSON.stringify(text ?? '(no such line)')}`];
  });
}

/** Points each link at the line that now starts with its quoted text (the nearest, if several do). */
export function refreshLineLinks(markdown: string, read: ReadFile): string {
  return markdown.replace(LINK, (whole, quoted: string, file: string, line: string) => {
    const candidates = linesStartingWith(read(file), quoted);
    if (candidates.length === 0)
      throw new Error(`README links to \`${quoted}\` in ${file}, which no line starts with any more`);
    const nearest = candidates.reduce((best, candidate) =>
      Math.abs(candidate - Number(line)) < Math.abs(best - Number(line)) ? candidate : best,
    );
    return whole.replace(`#L${line})`, `#L${nearest})`);
  });
}
