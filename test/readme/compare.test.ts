import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSizeChart } from '../../scripts/compare/chart.ts';
import { renderComparison } from '../../scripts/compare/table.ts';
import { readSection } from '../../scripts/readme/markdown.ts';
import { REPORT_FILE, type ImagesReport } from '../images/support/report.ts';

const REPORT = JSON.parse(readFileSync(REPORT_FILE, 'utf8')) as ImagesReport;
const realBases: ImagesReport = { ...REPORT, bases: { ...REPORT.bases, kind: 'real', differences: [] } };

describe('the images comparison in the README', () => {
  it('is what npm run compare renders from the committed report', () => {
    expect(readSection(readFileSync('README.md', 'utf8'), 'compare')).toBe(renderComparison(REPORT).trim());
  });

  it('comes with the chart npm run compare draws from the same report', () => {
    expect(readFileSync('images/image-sizes.svg', 'utf8')).toBe(renderSizeChart(REPORT));
  });

  it('shows every figure the report holds for both images', () => {
    const table = renderComparison(REPORT);
    for (const image of [REPORT.images.slim, REPORT.images.distroless]) {
      expect(table).toContain(`${(image.sizeBytes / 1e6).toFixed(1)} MB`);
      expect(table).toContain(image.nodeVersion);
      expect(table).toContain(`${image.user} (${String(image.uid)})`);
    }
  });

  it('says when stand-in bases were measured, with their differences and the real sizes', () => {
    const standIn: ImagesReport = { ...REPORT, bases: { ...REPORT.bases, kind: 'stand-in', differences: ['node: no yarn'] } };
    const text = renderComparison(standIn);
    expect(text).toContain('**stand-in bases**');
    expect(text).toContain('- node: no yarn');
    expect(text).toContain('docker-library/repo-info');
    expect(renderSizeChart(standIn)).toContain('(measured on stand-in bases)');
  });

  it('says nothing of stand-ins when the real bases were measured', () => {
    expect(renderComparison(realBases)).not.toContain('stand-in');
    expect(renderSizeChart(realBases)).not.toContain('stand-in');
  });
});
