// What the real bases weigh, as their publishers state it, for readers comparing our stand-in figures.
export interface PublishedSize {
  image: string;
  bytes: number;
  what: string;
  source: string;
}

export const PUBLISHED_SIZES: PublishedSize[] = [
  {
    image: 'node:24.21.0-trixie-slim (linux/amd64)',
    bytes: 82_457_764,
    what: 'compressed transfer size',
    source: 'docker-library/repo-info, repos/node/remote/24.21.0-trixie-slim.md at commit 3179cb4d',
  },
];
