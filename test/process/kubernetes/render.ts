import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
}

export const kubectlAvailable = spawnSync('kubectl', ['version', '--client']).status === 0;

/** The objects `kubectl apply -k folder` would send: kubectl's built-in kustomize, offline. */
export function render(folder: string): KubernetesObject[] {
  const result = spawnSync('kubectl', ['kustomize', folder], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${folder} failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as KubernetesObject);
}
