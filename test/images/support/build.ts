import { existsSync } from 'node:fs';
import { docker, run } from './engine.ts';
import type { ImageSpec } from './specs.ts';
import type { BaseImages } from './bases.ts';

/** An extra CA bundle to hand the build (for a TLS-intercepting proxy): NODE_EXTRA_CA_CERTS, else npm's cafile. */
async function extraCaBundle(): Promise<string | undefined> {
  const fromEnv = process.env.NODE_EXTRA_CA_CERTS;
  if (fromEnv !== undefined && existsSync(fromEnv)) return fromEnv;
  const npm = await run('npm', ['config', 'get', 'cafile']);
  const cafile = npm.stdout.trim();
  return npm.code === 0 && cafile !== '' && cafile !== 'null' && cafile !== 'undefined' && existsSync(cafile)
    ? cafile
    : undefined;
}

/** Builds one image from its Dockerfile, unchanged, on the given bases; returns BuildKit's plain log. */
export async function buildImage(image: ImageSpec, bases: BaseImages, context = '.'): Promise<string> {
  const ca = await extraCaBundle();
  const args = [
    'build',
    '--progress=plain',
    '-f',
    image.dockerfile,
    '-t',
    image.tag,
    '--build-arg',
    `NODE_IMAGE=${bases.node}`,
    '--build-arg',
    `DISTROLESS_IMAGE=${bases.distroless}`,
    ...(ca === undefined ? [] : ['--secret', `id=ca,src=${ca}`]),
    context,
  ];
  const result = await docker(args, { timeoutMs: 900_000 });
  if (result.code !== 0)
    throw new Error(`docker build of ${image.tag} failed:\n${result.stderr.split('\n').slice(-30).join('\n')}`);
  // BuildKit writes its progress to stderr.
  return result.stderr;
}
