import type { ImageReport, ImagesReport } from '../../test/images/support/report.ts';
import { listItem, markdownTable } from '../lib/markdown.ts';
import { PUBLISHED_SIZES } from './published.ts';
import { megabytes } from './units.ts';

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const list = (items: string[]) => (items.length === 0 ? 'none' : items.join(', '));

const ROWS: [string, (image: ImageReport) => string][] = [
  ['Uncompressed size', (image) => megabytes(image.sizeBytes)],
  ['Our layers (image − base)', (image) => megabytes(image.ourLayersBytes)],
  ['Layers (ours)', (image) => `${String(image.layers)} (${String(image.ourLayers)})`],
  ['Files', (image) => String(image.files)],
  ['Debian packages installed', (image) => String(image.debianPackages)],
  ['Shell', (image) => yesNo(image.shell)],
  ['Package managers', (image) => list(image.packageManagers)],
  ['setuid/setgid files', (image) => String(image.setuidFiles.length)],
  ['Runtime user (UID seen on the host)', (image) => `${image.user} (${String(image.uid)})`],
  ['Node.js', (image) => image.nodeVersion],
  [
    'Health check',
    (image) =>
      `\`${image.healthcheck.slice(1).join(' ')}\` (${image.healthcheck[0] === 'CMD' ? 'exec form' : 'shell form'})`,
  ],
  [
    'Serving again after a crash (`restart: unless-stopped`)',
    (image) => `${image.restartAfterCrashSeconds.toFixed(2)} s`,
  ],
  [
    '`docker stop`, idle / with a slow request',
    (image) => `${image.stopSeconds.toFixed(2)} s / ${image.stopWithSlowRequestSeconds.toFixed(2)} s`,
  ],
];

/** The README's comparison of the two images, generated from lab/reports/images.json alone. */
export function renderComparison(report: ImagesReport): string {
  const { slim, distroless } = report.images;
  const standIn = report.bases.kind === 'stand-in';
  const basesRow = (base: string) => `${standIn ? 'stand-in' : 'real'}: \`${base}\``;
  const table = markdownTable({
    header: ['Measure', '`moscow-time:slim`', '`moscow-time:distroless`'],
    rows: [
      ['Base measured', basesRow(slim.base), basesRow(distroless.base)],
      ...ROWS.map(([label, cell]) => [label, cell(slim), cell(distroless)]),
    ],
  });
  const lines = [
    `Measured by \`${report.generatedBy}\` (Docker ${report.engine}) on ${report.date.slice(0, 10)}, kept in`,
    '[`lab/reports/images.json`](lab/reports/images.json) and rendered here and in the chart by `npm run docs:generate`.',
    '',
    '![Image sizes: base and our layers](images/image-sizes.svg)',
    '',
    table,
  ];
  if (standIn) {
    lines.push(
      '',
      'Measured on **stand-in bases** assembled offline from the same Debian 13 packages and Node.js binary',
      'as the real images (the machines that measure them reach no container registry); how they differ',
      'from the real bases: [docs/without-registry.md](docs/without-registry.md#how-the-stand-ins-differ).',
    );
  }
  return lines.join('\n');
}

/** docs/without-registry.md's list of what the stand-ins lack, and what the real bases weigh. */
export function renderStandInNotes(report: ImagesReport): string {
  if (report.bases.kind !== 'stand-in') {
    return `The last \`${report.generatedBy}\` run (${report.date.slice(0, 10)}) measured the real pinned bases.`;
  }
  return [
    `As recorded by the last \`${report.generatedBy}\` run (${report.date.slice(0, 10)}):`,
    '',
    ...report.bases.differences.map((difference) => listItem(difference)),
    '',
    'Published sizes of the real bases, for scale:',
    '',
    ...PUBLISHED_SIZES.map((size) =>
      listItem(`\`${size.image}\`: ${megabytes(size.bytes)} (${size.what}; ${size.source})`),
    ),
    listItem(
      '`gcr.io/distroless/nodejs24-debian13:nonroot`: not listed in docker-library/repo-info, which covers Docker Official Images only',
    ),
  ].join('\n');
}
