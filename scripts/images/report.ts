import { mkdirSync, writeFileSync } from 'node:fs';
import type { BaseImages } from './standins.ts';

/** What the image suite measures about one image (sizes in bytes). */
export interface ImageFacts {
  sizeBytes: number;
  baseSizeBytes: number;
  ourLayersBytes: number;
  layers: number;
  ourLayers: number;
  files: number;
  debianPackages: number;
  shell: boolean;
  packageManagers: string[];
  setuidFiles: string[];
  user: string;
  nodeVersion: string;
  healthcheck: string[];
}

export const REPORT_FILE = 'reports/images.json';

export interface ImageReport extends ImageFacts {
  tag: string;
  dockerfile: string;
  base: string;
  /** The runtime UID observed on the host while the container served. */
  uid: number;
  health: string;
  /** docker stop with nothing in flight. */
  stopSeconds: number;
  /** docker stop while a request delayed by TEST_RESPONSE_DELAY_MS is in flight; the request still completes. */
  stopWithSlowRequestSeconds: number;
  slowRequestDelayMs: number;
}

export interface ImagesReport {
  generatedBy: string;
  date: string;
  engine: string;
  nodeVersion: string;
  bases: BaseImages;
  images: Record<'slim' | 'distroless', ImageReport>;
}

export function writeReport(report: ImagesReport): void {
  mkdirSync('reports', { recursive: true });
  writeFileSync(REPORT_FILE, `${JSON.stringify(report, null, 2)}\n`);
}
