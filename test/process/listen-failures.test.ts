import { readFileSync } from 'node:fs';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, SERVER_BUNDLE } from '../support/server-process.ts';

// Each failure a user can fix by changing HOST or PORT ends like an invalid setting: one line that names the
// address and what to do, exit code 1, and no log line or stack trace on stdout.
function expectOneLine(result: { code: number | null; stdout: string; stderr: string }, line: string): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(`${line}\n`);
  expect(result.stdout).toBe('');
}

describe('the server refuses an address it cannot listen on', () => {
  it('a port another process holds (EADDRINUSE)', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    try {
      const result = await run(SERVER_BUNDLE, { HOST: '127.0.0.1', PORT: String(port) });
      expectOneLine(
        result,
        `Cannot listen on 127.0.0.1:${port}: the port is in use by another process; set PORT to a free port`,
      );
    } finally {
      holder.close();
    }
  });

  it('a metrics port another process holds, naming METRICS_PORT', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    try {
      const result = await run(SERVER_BUNDLE, { HOST: '127.0.0.1', PORT: '0', METRICS_PORT: String(port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `Cannot listen on 127.0.0.1:${port}: the port is in use by another process; set METRICS_PORT to a free port\n`,
      );
    } finally {
      holder.close();
    }
  });

  it('an address that is not one of this machine’s (EADDRNOTAVAIL)', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a real machine.
    const result = await run(SERVER_BUNDLE, { HOST: '192.0.2.1', PORT: '5000' });
    expectOneLine(
      result,
      'Cannot listen on 192.0.2.1:5000: 192.0.2.1 is not an address of this machine; set HOST to a local address, or 0.0.0.0 for all',
    );
  });

  it('a host name that does not resolve (ENOTFOUND)', async () => {
    // .invalid is reserved (RFC 2606): it never resolves.
    const result = await run(SERVER_BUNDLE, { HOST: 'no-such-host.invalid', PORT: '5000' });
    expectOneLine(
      result,
      'Cannot listen on no-such-host.invalid:5000: the host name no-such-host.invalid does not resolve; set HOST to an IP address or a resolvable name',
    );
  });

  describe('a privileged port, as a user without privileges (EACCES)', () => {
    // The tests run as root, which may bind any port; the server runs here as "nobody" instead, from a copy
    // of dist/ (the bundle and the static assets) that user can read.
    const NOBODY = 65534;
    let folder: string;
    let node: string;

    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'moscow-time-eacces-'));
      await chmod(folder, 0o755);
      await cp('dist', join(folder, 'dist'), { recursive: true });
      node = process.execPath;
      // The Node binary lives in node_modules; its folders may be closed to other users (a checkout under
      // /root, say), so copy it where nobody can run it.
      if (
        (await run('--version', {}, { uid: NOBODY, gid: NOBODY, cwd: folder, node }).catch(() => undefined))?.code !== 0
      ) {
        node = join(folder, 'node');
        await cp(process.execPath, node);
        await chmod(node, 0o755);
      }
    });
    afterAll(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    // Linux lets every user bind ports from net.ipv4.ip_unprivileged_port_start (1024 unless changed) up.
    const unprivilegedFrom = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
    const skip = process.getuid?.() !== 0 || unprivilegedFrom <= 80;
    if (skip) console.log('EACCES test skipped: needs root, and a kernel that keeps port 80 privileged');

    it.skipIf(skip)('says to pick a port of 1024 or above', async () => {
      const result = await run(
        join(folder, SERVER_BUNDLE),
        { HOST: '127.0.0.1', PORT: '80' },
        { uid: NOBODY, gid: NOBODY, cwd: folder, node },
      );
      expectOneLine(
        result,
        'Cannot listen on 127.0.0.1:80: permission denied (ports below 1024 need privileges); set PORT to 1024 or above',
      );
    });
  });
});
