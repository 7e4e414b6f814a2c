import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Container, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render } from '../../test/process/kubernetes/render.ts';
import { skipWithout } from '../../test/support/requirement.ts';
import {
  buildControlPlane,
  existingCluster,
  goAvailable,
  startControlPlane,
  type ControlPlane,
} from './control-plane.ts';
import { kubectlFor, SERVER_SIDE_APPLY, type KubectlResult } from './kubectl.ts';

// deploy/kubernetes sent to a real kube-apiserver (the release lab/cluster/go.mod pins) with the PodSecurity
// admission plugin on: server-side apply, strict field validation, defaulting, and the namespace's
// "restricted" label enforced by the server itself. No scheduler or kubelet runs: nothing is started.
// CLUSTER_KUBECONFIG=<file> runs the same tests against a cluster that already runs (kind, k3d).
const EXISTING = process.env.CLUSTER_KUBECONFIG;
const goMissing = skipWithout({
  present: goAvailable || EXISTING !== undefined,
  switchName: 'REQUIRE_CLUSTER',
  missing: 'no Go toolchain to build kube-apiserver and etcd',
  tests: 'Kubernetes API server tests',
});

const OVERLAYS = ['slim', 'distroless'];
const NAMESPACE = 'moscow-time';

const deploymentOf = (variant: string) =>
  render(`deploy/kubernetes/overlays/${variant}`).find((object) => object.kind === 'Deployment') as Deployment;

/** The Pod a variant's Deployment would create, for the admission that only Pods meet (enforce). */
function podOf(variant: string, change: (pod: PodSpec, container: Container) => void = () => undefined): Pod {
  const deployment = deploymentOf(variant);
  const template = structuredClone(deployment.spec?.template);
  const spec = template?.spec;
  const container = spec?.containers[0];
  if (spec === undefined || container === undefined) throw new Error(`no pod template in the ${variant} overlay`);
  change(spec, container);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...template?.metadata, name: `${String(deployment.metadata?.name)}-probe`, namespace: NAMESPACE },
    spec,
  };
}

const asInput = (object: object) => JSON.stringify(object);
const warningsIn = (result: KubectlResult) => result.stderr.split('\n').filter((line) => line.startsWith('Warning:'));

describe.skipIf(goMissing)('a real API server admits deploy/kubernetes', () => {
  let plane: ControlPlane | undefined;
  let kubectl: ReturnType<typeof kubectlFor>;

  beforeAll(async () => {
    plane = EXISTING === undefined ? await startControlPlane(buildControlPlane()) : existingCluster(EXISTING);
    kubectl = kubectlFor(plane.kubeconfig);
    const namespace = kubectl([...SERVER_SIDE_APPLY, '-k', 'deploy/kubernetes/namespace']);
    expect(namespace.stderr + namespace.stdout).toBe('namespace/moscow-time serverside-applied\n');
    // kube-controller-manager creates every namespace's "default" ServiceAccount; it does not run here, and
    // the ServiceAccount admission plugin refuses a pod whose account is missing. Applied, not created, so
    // that a cluster whose controller made it already is left as it was.
    const account = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NAMESPACE } };
    expect(kubectl([...SERVER_SIDE_APPLY, '-f', '-'], asInput(account)).status).toBe(0);
  });

  afterAll(async () => {
    await plane?.stop();
  });

  it.each(OVERLAYS)('admits the %s overlay by server-side apply, with no warning', (variant) => {
    const result = kubectl([...SERVER_SIDE_APPLY, '-k', `deploy/kubernetes/overlays/${variant}`]);
    expect(result.stderr, plane?.logs()).toBe('');
    expect(result.stdout.trim().split('\n').sort()).toEqual([
      `deployment.apps/moscow-time-${variant} serverside-applied`,
      `networkpolicy.networking.k8s.io/moscow-time-${variant} serverside-applied`,
      `poddisruptionbudget.policy/moscow-time-${variant} serverside-applied`,
      `service/moscow-time-${variant} serverside-applied`,
    ]);
  });

  it.each(OVERLAYS)("admits the %s Deployment's pod where restricted is enforced", (variant) => {
    const result = kubectl([...SERVER_SIDE_APPLY, '--dry-run=server', '-f', '-'], asInput(podOf(variant)));
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`pod/moscow-time-${variant}-probe serverside-applied (server dry run)\n`);
  });

  // Each pod breaks one control of the restricted standard; the rejection is the server's own words. Three
  // that baseline allows (privilege escalation, no seccomp profile, root allowed) prove the namespace
  // enforces restricted itself.
  it.each<[string, (pod: PodSpec, container: Container) => void, string]>([
    [
      'a privileged container',
      (_pod, container) =>
        Object.assign(container.securityContext ?? {}, { privileged: true, allowPrivilegeEscalation: true }),
      'privileged (container "moscow-time" must not set securityContext.privileged=true)',
    ],
    [
      'privilege escalation allowed',
      (_pod, container) => Object.assign(container.securityContext ?? {}, { allowPrivilegeEscalation: true }),
      'allowPrivilegeEscalation != false (container "moscow-time" must set securityContext.allowPrivilegeEscalation=false)',
    ],
    [
      'a capability added',
      (_pod, container) => Object.assign(container.securityContext?.capabilities ?? {}, { add: ['NET_ADMIN'] }),
      'unrestricted capabilities (container "moscow-time" must not include "NET_ADMIN" in securityContext.capabilities.add)',
    ],
    [
      'no seccomp profile',
      (pod, container) => {
        delete pod.securityContext?.seccompProfile;
        delete container.securityContext?.seccompProfile;
      },
      'seccompProfile (pod or container "moscow-time" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ],
    [
      'root allowed',
      (pod, container) => {
        delete pod.securityContext?.runAsNonRoot;
        delete container.securityContext?.runAsNonRoot;
      },
      'runAsNonRoot != true (pod or container "moscow-time" must set securityContext.runAsNonRoot=true)',
    ],
    [
      'a hostPath volume',
      (pod) => pod.volumes?.push({ name: 'host', hostPath: { path: '/' } }),
      'restricted volume types (volume "host" uses restricted volume type "hostPath")',
    ],
  ])('rejects a pod with %s, in the PodSecurity admission’s words', (_defect, change, reason) => {
    const result = kubectl([...SERVER_SIDE_APPLY, '--dry-run=server', '-f', '-'], asInput(podOf('slim', change)));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`is forbidden: violates PodSecurity "restricted:v1.30": `);
    expect(result.stderr).toContain(reason);
  });

  // Warnings check the "latest" standard (the namespace pins only enforce-version): no warning on the
  // overlays means the server's own release would enforce nothing more.
  it('warns about a Deployment whose pods it would refuse, so "no warning" above can fail', () => {
    const deployment = deploymentOf('slim');
    Object.assign(deployment.spec?.template.spec?.containers[0]?.securityContext ?? {}, {
      allowPrivilegeEscalation: true,
    });
    const result = kubectl([...SERVER_SIDE_APPLY, '--dry-run=server', '-f', '-'], asInput(deployment));
    expect(result.status).toBe(0);
    expect(warningsIn(result)).toEqual([
      'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "moscow-time" must set securityContext.allowPrivilegeEscalation=false)',
    ]);
  });

  // What the offline schema check (TypeScript against kubernetes-types) used to say, and validation it could
  // not do, now said by the server.
  it.each<[string, (deployment: Deployment) => void, string]>([
    [
      'a misspelt field',
      (deployment) => {
        const container = deployment.spec?.template.spec?.containers[0];
        Object.assign(container ?? {}, { resourcez: container?.resources });
      },
      'resourcez: field not declared in schema',
    ],
    [
      'a wrong type',
      (deployment) => Object.assign(deployment.spec ?? {}, { replicas: 'two' }),
      '.spec.replicas: expected numeric (int or float), got string',
    ],
    [
      'a missing required field',
      (deployment) => {
        delete (deployment.spec?.template.spec?.containers[0] as { name?: string }).name;
      },
      'spec.template.spec.containers[0].name: Required value',
    ],
    [
      'a preStop sleep longer than the grace period',
      (deployment) => Object.assign(deployment.spec?.template.spec ?? {}, { terminationGracePeriodSeconds: 3 }),
      'less than terminationGracePeriodSeconds (3)',
    ],
  ])('refuses a Deployment with %s', (_defect, change, message) => {
    const deployment = deploymentOf('slim');
    change(deployment);
    const result = kubectl([...SERVER_SIDE_APPLY, '--dry-run=server', '-f', '-'], asInput(deployment));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
