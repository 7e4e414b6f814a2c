import { existsSync, readFileSync } from 'node:fs';
import { BASES_FILE } from '../../support/results.ts';
import { docker } from './engine.ts';

export interface BaseImages {
  node: string;
  distroless: string;
  kind: 'real' | 'stand-in';
  /** How the stand-ins differ from the images they replace; empty for real images. */
  differences: string[];
}

export async function imageExists(ref: string): Promise<boolean> {
  return (await docker(['image', 'inspect', ref])).code === 0;
}

/**
 * The bases to build on: the pinned ones when the engine has them, else those `npm run standins` recorded.
 * The suite pulls and assembles nothing itself: assembling stand-ins takes minutes of debootstrap, and is
 * the lab's job (lab/images/).
 */
export async function findBaseImages(pinned: { node: string; distroless: string }): Promise<BaseImages> {
  if ((await imageExists(pinned.node)) && (await imageExists(pinned.distroless))) {
    return { ...pinned, kind: 'real', differences: [] };
  }
  if (existsSync(BASES_FILE)) {
    const recorded = JSON.parse(readFileSync(BASES_FILE, 'utf8')) as BaseImages;
    if ((await imageExists(recorded.node)) && (await imageExists(recorded.distroless))) return recorded;
  }
  throw new Error(
    `the engine has neither the pinned bases nor the ones ${BASES_FILE} records: run npm run standins ` +
      '(it pulls the pinned bases, or assembles stand-ins for them offline)',
  );
}
