import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSupportInfo, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';

// Prettier reads an .editorconfig for the four settings below. Ours must say what Prettier does anyway
// (.prettierrc.json over Prettier's defaults), so an editor and `npm run format` never disagree.
const SETTINGS = ['useTabs', 'tabWidth', 'printWidth', 'endOfLine'] as const;
const SAMPLES = ['src/server.ts', 'eslint.config.js', 'package.json', 'compose.yaml'];

type Settings = Partial<Record<(typeof SETTINGS)[number], unknown>>;

function pick(options: Record<string, unknown> | null): Settings {
  return Object.fromEntries(SETTINGS.flatMap((name) => (options?.[name] === undefined ? [] : [[name, options[name]]])));
}

/** What Prettier formats a file with, without any .editorconfig. */
async function prettierSettings(file: string): Promise<Settings> {
  const defaults = (await getSupportInfo()).options.map((option) => [option.name, option.default as unknown]);
  const configured = await resolveConfig(file, { editorconfig: false });
  return pick({ ...(Object.fromEntries(defaults) as Record<string, unknown>), ...configured });
}

/** What an .editorconfig alone tells Prettier for a file of that name. */
async function editorconfigSettings(editorconfig: string, file: string): Promise<Settings> {
  const folder = mkdtempSync(join(tmpdir(), 'moscow-time-editorconfig-'));
  try {
    writeFileSync(join(folder, '.editorconfig'), editorconfig);
    return pick(await resolveConfig(join(folder, file), { editorconfig: true }));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('.editorconfig', () => {
  const ours = readFileSync('.editorconfig', 'utf8');

  it.each(SAMPLES)('tells editors what Prettier does for %s', async (file) => {
    const told = await editorconfigSettings(ours, file);
    expect(Object.keys(told).sort()).toEqual([...SETTINGS].sort());
    expect(told).toEqual(await prettierSettings(file));
  });

  it('notices an .editorconfig that disagrees', async () => {
    const wider = ours.replace('indent_size = 2', 'indent_size = 4');
    expect(wider).not.toBe(ours);
    expect(await editorconfigSettings(wider, 'src/server.ts')).not.toEqual(await prettierSettings('src/server.ts'));
  });
});
