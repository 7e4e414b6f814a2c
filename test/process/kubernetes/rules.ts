import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Container, PodSpec, Service } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';

// Rules on the rendered manifests (kubectl kustomize deploy/kubernetes) that no API server can check:
// agreement with the app, the images and compose.yaml. The facts they compare against are read from the
// code and the files that own them, in manifests.test.ts. What a server does check (the schema, the
// restricted Pod Security Standard, the namespace enforcing it) a real kube-apiserver checks, in
// lab/cluster.

export interface Manifests {
  deployments: Deployment[];
  services: Service[];
  budgets: PodDisruptionBudget[];
  policies: NetworkPolicy[];
}

export interface Facts {
  /** The port the app listens on by default (config.ts). */
  port: number;
  /** SHUTDOWN_GRACE_MS's default (config.ts). */
  shutdownGraceMs: number;
  /** The routes probes may use, and what each is for. */
  livenessPath: string;
  readinessPath: string;
  /** Each variant's runtime USER, from its Dockerfile: "1000:1000". */
  users: Record<string, string>;
  /** compose.yaml's mem_limit, in bytes. */
  memoryLimitBytes: number;
  /** The memory floor the images are held to, in bytes (the bench's target). */
  memoryFloorBytes: number;
  /** The image name CI publishes under, with the owner left open: /^ghcr\.io\/[^/]+\/moscow-time$/. */
  imageName: RegExp;
}

export interface KubernetesRule {
  id: string;
  why: string;
  /** Why a real API server (lab/cluster) cannot say this: what it covers, it checks, and no rule here does. */
  beyondTheServer: string;
  check(manifests: Manifests, facts: Facts): string[];
}

const VARIANTS = ['slim', 'distroless'];
const nameOf = (object: { metadata?: { name?: string } }) => String(object.metadata?.name);
const variantOf = (object: { metadata?: { name?: string } }) =>
  VARIANTS.find((variant) => nameOf(object).endsWith(`-${variant}`));
const podOf = (deployment: Deployment): PodSpec => deployment.spec?.template.spec ?? { containers: [] };

function perContainer(
  manifests: Manifests,
  check: (container: Container, pod: PodSpec, deployment: Deployment) => string[],
): string[] {
  return manifests.deployments.flatMap((deployment) =>
    podOf(deployment).containers.flatMap((container) =>
      check(container, podOf(deployment), deployment).map(
        (problem) => `${nameOf(deployment)}/${container.name}: ${problem}`,
      ),
    ),
  );
}

/** "128Mi", "64M", "1Gi" → bytes. */
export function bytesOfQuantity(quantity: string | undefined): number {
  const match = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity ?? '');
  if (match === null) return Number.NaN;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value) && selector !== undefined;
}

export const KUBERNETES_RULES: KubernetesRule[] = [
  {
    id: 'read-only-root-with-memory-tmp',
    beyondTheServer: 'restricted does not require a read-only root, and any emptyDir is valid.',
    why: 'The image suite runs both images with a read-only root and /tmp in memory; the pod does the same, and bounds /tmp.',
    check: (manifests) =>
      perContainer(manifests, (container, pod) => {
        const problems: string[] = [];
        if (container.securityContext?.readOnlyRootFilesystem !== true)
          problems.push('the root filesystem is writable');
        const mount = (container.volumeMounts ?? []).find((entry) => entry.mountPath === '/tmp');
        const volume = (pod.volumes ?? []).find((entry) => entry.name === mount?.name);
        if (volume?.emptyDir?.medium !== 'Memory' || volume.emptyDir.sizeLimit === undefined) {
          problems.push('/tmp is not a size-limited in-memory emptyDir');
        }
        return problems;
      }),
  },
  {
    id: 'no-service-account-token',
    beyondTheServer: 'restricted allows a token, and the server mounts one unless told not to.',
    why: 'The app calls no Kubernetes API: a mounted token would only be something to steal.',
    check: (manifests) =>
      manifests.deployments
        .filter((deployment) => podOf(deployment).automountServiceAccountToken !== false)
        .map((deployment) => `${nameOf(deployment)}: mounts a service account token`),
  },
  {
    id: 'probes-match-the-app',
    beyondTheServer: "the server checks a probe's form, not that the app answers on that path and port.",
    why: "Startup and liveness on /healthz, readiness on /readyz, on the metrics listener (METRICS_PORT), which a flood of the app's port cannot starve; port http is the app's PORT.",
    check: (manifests, facts) =>
      perContainer(manifests, (container) => {
        const problems: string[] = [];
        const portOf = (name: string) => (container.ports ?? []).find((port) => port.name === name)?.containerPort;
        if (portOf('http') !== facts.port)
          problems.push(`port http is ${String(portOf('http'))}, not PORT's ${facts.port}`);
        const metricsPort = container.env?.find((variable) => variable.name === 'METRICS_PORT')?.value;
        if (metricsPort === undefined || portOf('metrics') !== Number(metricsPort))
          problems.push(`port metrics is ${String(portOf('metrics'))}, not METRICS_PORT's ${String(metricsPort)}`);
        const probes = [
          ['startupProbe', container.startupProbe, facts.livenessPath],
          ['livenessProbe', container.livenessProbe, facts.livenessPath],
          ['readinessProbe', container.readinessProbe, facts.readinessPath],
        ] as const;
        for (const [name, probe, path] of probes) {
          if (probe?.httpGet?.path !== path || probe.httpGet.port !== 'metrics') {
            problems.push(`${name} is ${JSON.stringify(probe?.httpGet)}, not GET ${path} on port metrics`);
          }
        }
        return problems;
      }),
  },
  {
    id: 'runs-as-the-image-user',
    beyondTheServer: "the server sees a UID, never the image's USER.",
    why: "runAsUser and runAsGroup are the variant's Dockerfile USER, so the pod runs as the image expects.",
    check: (manifests, facts) =>
      manifests.deployments.flatMap((deployment) => {
        const variant = variantOf(deployment);
        const expected = variant === undefined ? undefined : facts.users[variant];
        const context = podOf(deployment).securityContext;
        const actual = `${String(context?.runAsUser)}:${String(context?.runAsGroup)}`;
        return actual === expected
          ? []
          : [`${nameOf(deployment)}: runs as ${actual}, the image's USER is ${String(expected)}`];
      }),
  },
  {
    id: 'drains-before-the-kill',
    beyondTheServer: 'the server bounds the preStop sleep by the grace period but knows nothing of SHUTDOWN_GRACE_MS.',
    why: 'preStop keeps serving while endpoints update, then SHUTDOWN_GRACE_MS drains: both must end before the grace period.',
    check: (manifests, facts) =>
      perContainer(manifests, (container, pod) => {
        const sleep = container.lifecycle?.preStop?.sleep?.seconds;
        if (sleep === undefined || sleep < 1) return ['no native preStop sleep of at least 1 s'];
        const graceMs = Number(
          container.env?.find((entry) => entry.name === 'SHUTDOWN_GRACE_MS')?.value ?? facts.shutdownGraceMs,
        );
        const period = pod.terminationGracePeriodSeconds ?? 30;
        return period > sleep + graceMs / 1000
          ? []
          : [
              `terminationGracePeriodSeconds ${period} is not more than preStop ${sleep} s + SHUTDOWN_GRACE_MS ${graceMs} ms`,
            ];
      }),
  },
  {
    id: 'resources-as-measured',
    beyondTheServer: "any quantity is valid; compose.yaml and the measured floor are the project's.",
    why: "The memory limit is compose.yaml's, derived from the measured floor; it holds the floor plus the in-memory /tmp. Requests for both.",
    check: (manifests, facts) =>
      perContainer(manifests, (container, pod) => {
        const problems: string[] = [];
        const limit = bytesOfQuantity(String(container.resources?.limits?.memory));
        if (limit !== facts.memoryLimitBytes)
          problems.push(`memory limit ${String(container.resources?.limits?.memory)} is not compose.yaml's mem_limit`);
        const tmp = (pod.volumes ?? []).reduce(
          (sum, volume) => sum + bytesOfQuantity(volume.emptyDir?.sizeLimit ?? '0'),
          0,
        );
        if (limit < facts.memoryFloorBytes + tmp) problems.push('the memory limit does not hold the floor plus /tmp');
        if (container.resources?.requests?.memory === undefined || container.resources.requests.cpu === undefined) {
          problems.push('no CPU or memory request');
        }
        return problems;
      }),
  },
  {
    id: 'rollout-without-downtime',
    beyondTheServer: 'one replica, maxUnavailable 1 and a missing budget are all valid objects.',
    why: 'Two replicas spread over nodes, a rollout that never lowers capacity, and a budget that keeps one pod through drains.',
    check: (manifests) => [
      ...manifests.deployments.flatMap((deployment) => {
        const problems: string[] = [];
        if ((deployment.spec?.replicas ?? 1) < 2) problems.push('fewer than 2 replicas');
        if (deployment.spec?.strategy?.rollingUpdate?.maxUnavailable !== 0) problems.push('maxUnavailable is not 0');
        const spread = podOf(deployment).topologySpreadConstraints ?? [];
        if (!spread.some((constraint) => constraint.topologyKey === 'kubernetes.io/hostname'))
          problems.push('pods are not spread across nodes');
        return problems.map((problem) => `${nameOf(deployment)}: ${problem}`);
      }),
      ...manifests.deployments.flatMap((deployment) => {
        const labels = deployment.spec?.template.metadata?.labels;
        const budget = manifests.budgets.find((entry) => selects(entry.spec?.selector?.matchLabels, labels));
        return budget?.spec?.minAvailable === 1 ? [] : [`${nameOf(deployment)}: no PodDisruptionBudget keeping 1 pod`];
      }),
    ],
  },
  {
    id: 'images-as-published',
    beyondTheServer: "any image reference is valid; the name CI publishes under is the project's.",
    why: 'Each variant runs the image CI publishes from its own Dockerfile: ghcr.io/<owner>/moscow-time:<variant>.',
    check: (manifests, facts) =>
      perContainer(manifests, (container, _pod, deployment) => {
        const [name = '', tag] = (container.image ?? '').split(/[:@]/);
        const variant = variantOf(deployment);
        const problems: string[] = [];
        if (!facts.imageName.test(name))
          problems.push(`image ${String(container.image)} is not ghcr.io/<owner>/moscow-time`);
        if (tag !== variant) problems.push(`image ${String(container.image)} is not the ${String(variant)} variant`);
        return problems;
      }),
  },
  {
    id: 'variants-side-by-side',
    beyondTheServer:
      "the server checks a Deployment's selector against its own template only, never a Service's, a budget's or a policy's against the other variant's pods.",
    why: "Both variants run in one namespace: names, and every selector, are each variant's own.",
    check: (manifests) => {
      const problems: string[] = [];
      for (const variant of VARIANTS) {
        const deployment = manifests.deployments.find((entry) => variantOf(entry) === variant);
        if (deployment === undefined) {
          problems.push(`no ${variant} Deployment`);
          continue;
        }
        const otherPods = manifests.deployments
          .filter((entry) => entry !== deployment)
          .map((entry) => entry.spec?.template.metadata?.labels);
        const selectors = [
          ['Deployment', deployment.spec?.selector.matchLabels],
          ['Service', manifests.services.find((entry) => variantOf(entry) === variant)?.spec?.selector],
          [
            'PodDisruptionBudget',
            manifests.budgets.find((entry) => variantOf(entry) === variant)?.spec?.selector?.matchLabels,
          ],
          [
            'NetworkPolicy',
            manifests.policies.find((entry) => variantOf(entry) === variant)?.spec?.podSelector.matchLabels,
          ],
        ] as const;
        for (const [kind, selector] of selectors) {
          if (!selects(selector, deployment.spec?.template.metadata?.labels))
            problems.push(`${variant}: the ${kind} does not select its pods`);
          if (otherPods.some((labels) => selects(selector, labels)))
            problems.push(`${variant}: the ${kind} also selects the other variant's pods`);
        }
      }
      return problems;
    },
  },
  {
    id: 'network-policy',
    beyondTheServer: "any policy is valid; which ports open is the project's choice.",
    why: "In: the app's port and the metrics listener's only. Out: nothing, since the app calls no one.",
    check: (manifests) =>
      manifests.policies.flatMap((policy) => {
        const problems: string[] = [];
        const types = policy.spec?.policyTypes ?? [];
        if (!types.includes('Ingress') || !types.includes('Egress'))
          problems.push('does not govern both ingress and egress');
        const ports = (policy.spec?.ingress ?? []).flatMap((rule) => rule.ports ?? []).map((port) => port.port);
        if (ports.length !== 2 || !ports.includes('http') || !ports.includes('metrics'))
          problems.push(`admits ports ${JSON.stringify(ports)}, not just http and metrics`);
        if ((policy.spec?.egress ?? []).length > 0) problems.push('allows egress');
        return problems.map((problem) => `${nameOf(policy)}: ${problem}`);
      }),
  },
  {
    id: 'scrape-annotations',
    beyondTheServer: 'annotations are free text to the server.',
    why: 'A Prometheus that discovers pods by annotation scrapes /metrics on the metrics listener.',
    check: (manifests) =>
      manifests.deployments.flatMap((deployment) => {
        const annotations = deployment.spec?.template.metadata?.annotations ?? {};
        const container = podOf(deployment).containers[0];
        const metricsPort = container?.env?.find((variable) => variable.name === 'METRICS_PORT')?.value;
        const ok =
          annotations['prometheus.io/scrape'] === 'true' &&
          metricsPort !== undefined &&
          annotations['prometheus.io/port'] === metricsPort &&
          annotations['prometheus.io/path'] === '/metrics';
        return ok ? [] : [`${nameOf(deployment)}: no scrape annotations for /metrics on METRICS_PORT`];
      }),
  },
];
