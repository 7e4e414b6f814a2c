import type { ImagesReport } from '../../test/images/support/report.ts';
import { megabytes } from './units.ts';

const MARGIN = 16;
export const CHART_FILE = 'images/image-sizes.svg';

const WIDTH = 720 + 2 * MARGIN;
const LABEL_WIDTH = 190;
const BAR_WIDTH = 470;
const BAR_HEIGHT = 28;
const ROW_HEIGHT = 64;
const TOP = 58;
const COLORS = { base: '#9aa3ad', ours: '#9b1b30', text: '#1b1b1f', muted: '#4a4a55' };

const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * Both images' uncompressed sizes as stacked bars, base and our layers, with the figures written on the
 * chart. Deterministic (no dates), so the SVG in git changes only when the figures do.
 */
export function renderSizeChart(report: ImagesReport): string {
  const images = [
    ['moscow-time:slim', report.images.slim],
    ['moscow-time:distroless', report.images.distroless],
  ] as const;
  const largest = Math.max(...images.map(([, image]) => image.sizeBytes));
  const scale = (bytes: number) => (bytes / largest) * BAR_WIDTH;
  const standIn = report.bases.kind === 'stand-in';
  const height = TOP + images.length * ROW_HEIGHT + 34;
  const rows = images.map(([name, image], index) => {
    const y = TOP + index * ROW_HEIGHT;
    const baseWidth = scale(image.baseSizeBytes);
    // Our layers are a sliver next to the base; at least 2 px so they stay visible.
    const oursWidth = Math.max(2, scale(image.ourLayersBytes));
    return [
      `<text x="0" y="${String(y + 19)}" font-size="14" fill="${COLORS.text}">${escape(name)}</text>`,
      `<rect x="${String(LABEL_WIDTH)}" y="${String(y)}" width="${baseWidth.toFixed(1)}" height="${String(BAR_HEIGHT)}" fill="${COLORS.base}"/>`,
      `<rect x="${(LABEL_WIDTH + baseWidth).toFixed(1)}" y="${String(y)}" width="${oursWidth.toFixed(1)}" height="${String(BAR_HEIGHT)}" fill="${COLORS.ours}"/>`,
      `<text x="${String(LABEL_WIDTH)}" y="${String(y + BAR_HEIGHT + 17)}" font-size="13" fill="${COLORS.muted}">${escape(
        `${megabytes(image.sizeBytes)} = base ${megabytes(image.baseSizeBytes)} + ours ${megabytes(image.ourLayersBytes)}`,
      )}</text>`,
    ].join('\n  ');
  });
  const title = `Image size, uncompressed${standIn ? ' (measured on stand-in bases)' : ''}`;
  const legendY = height - 12;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${String(WIDTH)}" height="${String(height)}" viewBox="0 0 ${String(WIDTH)} ${String(height)}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" role="img" aria-labelledby="title">
  <title id="title">${escape(title)}</title>
  <rect width="100%" height="100%" fill="#ffffff"/>
  <g transform="translate(${String(MARGIN)} 0)">
  <text x="0" y="24" font-size="17" font-weight="600" fill="${COLORS.text}">${escape(title)}</text>
  ${rows.join('\n  ')}
  <rect x="0" y="${String(legendY - 11)}" width="12" height="12" fill="${COLORS.base}"/>
  <text x="18" y="${String(legendY)}" font-size="13" fill="${COLORS.muted}">base image</text>
  <rect x="110" y="${String(legendY - 11)}" width="12" height="12" fill="${COLORS.ours}"/>
  <text x="128" y="${String(legendY)}" font-size="13" fill="${COLORS.muted}">our layers (bundle, static assets)</text>
  </g>
</svg>
`;
}
