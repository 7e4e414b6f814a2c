import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rule that keeps the product from importing the lab (eslint.config.js), run through the
// repository's own ESLint configuration on real files with one import added: it must fire in every
// product folder, and stay quiet in the lab, which may import the product.
const eslint = new ESLint();
const RULE = 'no-restricted-imports';

async function restrictedImports(filePath: string, addedImport: string): Promise<string[]> {
  const code = `${addedImport}\n${readFileSync(filePath, 'utf8')}`;
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === RULE).map((message) => message.message);
}

describe('the product never imports the lab', { timeout: 60_000 }, () => {
  it.each([
    ['src/time.ts', "import '../lab/bench/report.ts';"],
    ['public/clock.ts', "import '../lab/lib/markdown.ts';"],
    ['test/unit/time.test.ts', "import type { BenchReport } from '../../lab/bench/report.ts';"],
    ['test/support/free-port.ts', "export { IMAGES_FILE } from '../../lab/docs/sections.ts';"],
    ['scripts/build.ts', "import 'moscow-time-lab/bench/report.ts';"],
  ])('%s: lint fails on %s', async (file, addedImport) => {
    expect(await restrictedImports(file, addedImport)).toEqual([
      expect.stringContaining('The product and its tests never import the lab'),
    ]);
  });

  it('lets the lab import the product', async () => {
    expect(await restrictedImports('lab/lib/tables.ts', "import '../../src/time.ts';")).toEqual([]);
  });

  it('passes the product as it is', async () => {
    expect(await restrictedImports('src/time.ts', '')).toEqual([]);
  });
});
