import { VARIABLES } from '../../src/config.ts';
import { markdownTable } from '../lib/markdown.ts';

/** The README's table of environment variables, written from the table src/config.ts reads them by. */
export function renderVariables(): string {
  return markdownTable({
    header: ['Variable', 'Default', 'Accepts', 'Sets'],
    rows: Object.values(VARIABLES).map(({ name, default: fallback, accepts, doc }) => [
      `\`${name}\``,
      fallback === undefined ? 'unset' : `\`${String(fallback)}\``,
      accepts,
      doc,
    ]),
  });
}
