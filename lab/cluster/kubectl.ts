import { spawnSync } from 'node:child_process';

export interface KubectlResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** kubectl against one cluster; `input` is sent on stdin (for `-f -`). */
export function kubectlFor(kubeconfig: string) {
  return (args: string[], input?: string): KubectlResult => {
    const result = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      encoding: 'utf8',
      ...(input === undefined ? {} : { input }),
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
}

/** What `kubectl apply --server-side` sends: strict field validation (kubectl's default) and one manager. */
export const SERVER_SIDE_APPLY = ['apply', '--server-side', '--field-manager=moscow-time-lab'];
