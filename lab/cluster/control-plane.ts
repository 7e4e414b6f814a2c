import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../test/support/free-port.ts';

// etcd and kube-apiserver on loopback, as a kubeadm control plane runs them but with nothing on disk that
// outlives the run: a fresh etcd data directory, a token and keys made here, and the serving certificate
// the API server makes for itself (its own CA, written beside it, which the kubeconfig trusts).

export interface ControlPlane {
  /** A kubeconfig for system:masters, for kubectl --kubeconfig. */
  kubeconfig: string;
  /** The last lines each component logged, for a failure message. */
  logs: () => string;
  stop: () => Promise<void>;
}

// Seconds on the shared 2-core machine (the whole suite, start to stop, takes about 15 s); this bound only
// ends a start that hangs.
const READY_WITHIN_MS = 180_000;

/** The directory that holds kube-apiserver and etcd, built from lab/cluster/go.mod (cached; see build.sh). */
export function buildControlPlane(): string {
  const result = spawnSync('bash', [join(import.meta.dirname, 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`lab/cluster/build.sh failed (exit ${String(result.status)})`);
  return result.stdout.trim();
}

export const goAvailable = spawnSync('go', ['version']).status === 0;

/** A cluster someone else runs (kind, k3d, …): the tests use it as they find it and stop nothing. */
export function existingCluster(kubeconfig: string): ControlPlane {
  return { kubeconfig, logs: () => `(the cluster of ${kubeconfig} keeps its own logs)`, stop: () => Promise.resolve() };
}

function start(binary: string, args: string[], log: string): ChildProcess {
  const fd = openSync(log, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // Both components exit within seconds of SIGTERM; a wedged one is not left behind.
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(killer);
}

export async function startControlPlane(bin: string): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'moscow-time-cluster-'));
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(join(dir, 'sa.pub'), keys.publicKey.export({ type: 'spki', format: 'pem' }));

  const etcdLog = join(dir, 'etcd.log');
  const apiLog = join(dir, 'kube-apiserver.log');
  const etcd = start(
    join(bin, 'etcd'),
    [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
      // A throwaway store: fsync only slows a shared disk.
      '--unsafe-no-fsync',
    ],
    etcdLog,
  );
  const apiserver = start(
    join(bin, 'kube-apiserver'),
    [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'pki')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=Node,RBAC',
      // On by default since 1.25; named so that a default changed upstream cannot turn the check off.
      '--enable-admission-plugins=PodSecurity',
      // As kubeadm sets it: otherwise the API server refuses privileged pods itself, before PodSecurity.
      '--allow-privileged=true',
      `--service-account-issuer=https://kubernetes.default.svc`,
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      // Nothing inside a cluster calls this API server: the kubernetes Service needs no endpoints.
      '--endpoint-reconciler-type=none',
    ],
    apiLog,
  );

  const kubeconfig = join(dir, 'kubeconfig');
  const certificateAuthority = join(dir, 'pki', 'apiserver.crt');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'lab',
          cluster: { server: `https://127.0.0.1:${apiPort}`, 'certificate-authority': certificateAuthority },
        },
      ],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'admin' } }],
      'current-context': 'lab',
    }),
    { mode: 0o600 },
  );

  const logs = () => `etcd:\n${tail(etcdLog)}\nkube-apiserver:\n${tail(apiLog)}`;
  const stop = async () => {
    await stopChild(apiserver);
    await stopChild(etcd);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    const ready = spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], {
      encoding: 'utf8',
    });
    if (ready.status === 0 && ready.stdout.trim() === 'ok') break;
    const died = [etcd, apiserver].find((child) => child.exitCode !== null);
    if (died !== undefined || Date.now() > deadline) {
      const why = died === undefined ? `not ready within ${READY_WITHIN_MS} ms` : 'a component exited';
      const message = `control plane: ${why}\n${logs()}`;
      await stop();
      throw new Error(message);
    }
    await sleep(500);
  }
  return { kubeconfig, logs, stop };
}
