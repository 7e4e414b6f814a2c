import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { render } from '../../process/kubernetes/render.ts';

/** "16Mi" → "16m", as Docker's --memory and tmpfs size= read it (both binary units). */
const dockerSize = (quantity: string) => quantity.replace(/Mi$/, 'm').replace(/Gi$/, 'g');

/**
 * `docker run` options for the container settings the variant's rendered Kubernetes manifest gives its pod:
 * user and group, read-only root, the in-memory /tmp and its size, capabilities, no privilege escalation,
 * the memory limit and the environment. Each setting the manifest has but Docker could not express throws.
 */
export function dockerArgsFromManifest(variant: string): string[] {
  const deployment = render(`deploy/kubernetes/overlays/${variant}`).find((object) => object.kind === 'Deployment') as
    Deployment | undefined;
  const pod = deployment?.spec?.template.spec;
  const container = pod?.containers[0];
  if (pod === undefined || container === undefined) throw new Error(`no Deployment in the ${variant} overlay`);
  const security = container.securityContext ?? {};
  const args = ['--user', `${String(pod.securityContext?.runAsUser)}:${String(pod.securityContext?.runAsGroup)}`];
  if (security.readOnlyRootFilesystem === true) args.push('--read-only');
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((entry) => entry.name === mount.name);
    if (volume?.emptyDir?.medium !== 'Memory') throw new Error(`volume ${mount.name} is not an in-memory emptyDir`);
    args.push('--tmpfs', `${mount.mountPath}:size=${dockerSize(volume.emptyDir.sizeLimit ?? '64Mi')}`);
  }
  for (const capability of security.capabilities?.drop ?? []) args.push('--cap-drop', capability);
  if (security.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  const memory = container.resources?.limits?.memory;
  if (memory !== undefined) args.push('--memory', dockerSize(memory), '--memory-swap', dockerSize(memory));
  for (const entry of container.env ?? []) args.push('-e', `${entry.name}=${entry.value ?? ''}`);
  return args;
}
