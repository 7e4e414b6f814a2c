// The stand-in for gcr.io/distroless/nodejs<major>-debian13: the packages distroless is made of, unpacked
// into an empty root, with its users, metadata and no shell.
import { chmod, chown, copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DISTROLESS_PACKAGES, sh } from './debian-root.ts';

export async function assembleDistroless(root: string, debs: string, nodePkg: string, work: string): Promise<void> {
  const statusd = join(root, 'var/lib/dpkg/status.d');
  await mkdir(statusd, { recursive: true });
  const files = await readdir(debs);
  const debFor = (pkg: string): string => {
    const file = files.find((f) => f.startsWith(`${pkg}_`));
    if (file === undefined) throw new Error(`apt-get download did not fetch ${pkg}`);
    return join(debs, file);
  };
  // Distroless records packages for scanners in status.d instead of dpkg's status (its PACKAGE_METADATA.md).
  const register = async (pkg: string): Promise<void> => {
    await writeFile(join(statusd, pkg), await sh('dpkg-deb', ['--field', debFor(pkg)]));
    const control = join(work, `control-${pkg}`);
    await sh('dpkg-deb', ['--control', debFor(pkg), control]);
    if (existsSync(join(control, 'md5sums'))) await copyFile(join(control, 'md5sums'), join(statusd, `${pkg}.md5sums`));
  };
  for (const pkg of DISTROLESS_PACKAGES) {
    await sh('dpkg-deb', ['--extract', debFor(pkg), root]);
    await register(pkg);
  }

  // Only the Mozilla bundle from trixie's ca-certificates (never the build host's, which may trust a proxy).
  const ca = join(work, 'ca-certificates');
  await sh('dpkg-deb', ['--extract', debFor('ca-certificates'), ca]);
  const mozilla = join(ca, 'usr/share/ca-certificates/mozilla');
  const pems = await Promise.all((await readdir(mozilla)).sort().map((f) => readFile(join(mozilla, f), 'utf8')));
  await mkdir(join(root, 'etc/ssl/certs'), { recursive: true });
  await writeFile(join(root, 'etc/ssl/certs/ca-certificates.crt'), pems.map((p) => p.trimEnd() + '\n').join(''));
  await mkdir(join(root, 'usr/share/doc/ca-certificates'), { recursive: true });
  await copyFile(
    join(ca, 'usr/share/doc/ca-certificates/copyright'),
    join(root, 'usr/share/doc/ca-certificates/copyright'),
  );
  await register('ca-certificates');

  // Users, groups, homes, /tmp, nsswitch and os-release as in distroless common/ and static/.
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
  );
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n');
  await writeFile(
    join(root, 'etc/nsswitch.conf'),
    [
      'passwd: compat',
      'group: compat',
      'shadow: compat',
      'gshadow: files',
      'hosts: files dns',
      'networks: files',
      'protocols: db files',
      'services: db files',
      'ethers: db files',
      'rpc: db files',
      'netgroup: nis',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(root, 'usr/lib/os-release'),
    [
      'PRETTY_NAME="Distroless"',
      'NAME="Debian GNU/Linux"',
      'ID="debian"',
      'VERSION_ID="13"',
      'VERSION="Debian GNU/Linux 13 (trixie)"',
      'HOME_URL="https://github.com/GoogleContainerTools/distroless"',
      'SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"',
      'BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"',
      '',
    ].join('\n'),
  );
  for (const [dir, mode, owner] of [
    ['root', 0o700, 0],
    ['home', 0o755, 0],
    ['home/nonroot', 0o700, 65532],
    ['tmp', 0o1777, 0],
  ] as const) {
    await mkdir(join(root, dir), { recursive: true });
    await chown(join(root, dir), owner, owner);
    await chmod(join(root, dir), mode);
  }

  await mkdir(join(root, 'nodejs'));
  await sh('tar', [
    '-xzf',
    nodePkg,
    '-C',
    join(root, 'nodejs'),
    '--strip-components=1',
    '--no-same-owner',
    'package/bin/node',
    'package/LICENSE',
  ]);

  for (const forbidden of ['usr/bin/sh', 'usr/bin/bash', 'usr/bin/dash', 'usr/bin/dpkg', 'usr/bin/apt-get']) {
    if (existsSync(join(root, forbidden))) throw new Error(`the distroless stand-in must not contain /${forbidden}`);
  }
}
