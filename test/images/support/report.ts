import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { IMAGES_RESULTS_FILE } from '../../support/results.ts';
import type { BaseImages } from './bases.ts';

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

export interface ImageReport extends ImageFacts {
  tag: string;
  dockerfile: string;
  base: string;
  /** The runtime UID observed on the host while the container served. */
  uid: number;
  health: string;
  /** docker stop with nothing in flight. */
  stopSeconds: number;
  /** docker stop while a request held by the response-delay hook is in flight; the request still completes. */
  stopWithSlowRequestSeconds: number;
  slowRequestDelayMs: number;
  /** compose.yaml's restart: unless-stopped: from SIGKILL of the process to serving again. */
  restartAfterCrashSeconds: number;
}

export interface ImagesReport {
  generatedBy: string;
  date: string;
  engine: string;
  nodeVersion: string;
  bases: BaseImages;
  images: Record<'slim' | 'distroless', ImageReport>;
}

export function writeReport(report: ImagesReport, file = IMAGES_RESULTS_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
