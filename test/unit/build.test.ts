import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The bundle replaces node_modules, and with it the licence files the MIT/ISC/BSD licences ask to ship.
describe('the build', () => {
  const notices = readFileSync('dist/THIRD-PARTY-NOTICES.txt', 'utf8');
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, { version: string }>;
  };

  it.each(['express', 'helmet', 'pino', 'sonic-boom', 'qs', 'iconv-lite'])(
    'ships the licence of %s, at the locked version',
    (name) => {
      const version = lock.packages[`node_modules/${name}`]?.version;
      expect(version).toBeDefined();
      const entry = notices
        .split(`\n${'-'.repeat(72)}\n\n`)
        .find((notice) => notice.startsWith(`${name}@${String(version)} (`));
      expect(entry).toMatch(/Permission|Redistribution/);
    },
  );

  it('ships no development package', () => {
    for (const name of ['typescript', 'vitest', 'esbuild', 'eslint', 'supertest'])
      expect(notices).not.toMatch(new RegExp(`^${name}@`, 'm'));
  });
});
