import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { MEMORY_FLOOR_MIB } from '../../../src/lifecycle/connection-limits.ts';
import { parseCompose } from '../../unit/policy/compose-rules.ts';
import { skipWithout } from '../../support/requirement.ts';
import { testApp } from '../../support/test-app.ts';
import { kubectlAvailable, render, type KubernetesObject } from './render.ts';
import { bytesOfQuantity, KUBERNETES_RULES, type Facts, type Manifests } from './rules.ts';

// The manifests rendered exactly as `kubectl apply -k` would (kubectl's built-in kustomize), checked offline
// for what only this project knows. The schema and the restricted standard are a real API server's to
// check: lab/cluster (npm run test:cluster) sends these manifests to one.
const kubectlMissing = skipWithout({
  present: kubectlAvailable,
  switchName: 'REQUIRE_KUBECTL',
  missing: 'no kubectl',
  tests: 'Kubernetes manifest tests',
});

function sort(objects: KubernetesObject[]): Manifests {
  const of = <T>(kind: string) => objects.filter((object) => object.kind === kind) as T[];
  return {
    deployments: of('Deployment'),
    services: of('Service'),
    budgets: of('PodDisruptionBudget'),
    policies: of('NetworkPolicy'),
  };
}

const userOf = (dockerfile: string) => /^USER (\S+)$/m.exec(readFileSync(dockerfile, 'utf8'))?.[1] ?? '';
const defaults = loadConfig({});
const FACTS: Facts = {
  port: defaults.port,
  shutdownGraceMs: defaults.shutdownGraceMs,
  livenessPath: '/healthz',
  readinessPath: '/readyz',
  users: { slim: userOf('Dockerfile'), distroless: userOf('distroless.Dockerfile') },
  memoryLimitBytes: bytesOfQuantity(
    String(parseCompose(readFileSync('compose.yaml', 'utf8')).slim?.mem_limit).replace(/m$/, 'Mi'),
  ),
  memoryFloorBytes: MEMORY_FLOOR_MIB * 2 ** 20,
  imageName: /^ghcr\.io\/[a-z0-9._-]+\/moscow-time$/,
};

describe.skipIf(kubectlMissing)('deploy/kubernetes', () => {
  const objects = kubectlMissing ? [] : render('deploy/kubernetes');
  const manifests = sort(objects);

  it('renders the namespace and both variants side by side', () => {
    expect(objects.map((object) => `${String(object.kind)}/${String(object.metadata?.name)}`).sort()).toEqual([
      'Deployment/moscow-time-distroless',
      'Deployment/moscow-time-slim',
      'Namespace/moscow-time',
      'NetworkPolicy/moscow-time-distroless',
      'NetworkPolicy/moscow-time-slim',
      'PodDisruptionBudget/moscow-time-distroless',
      'PodDisruptionBudget/moscow-time-slim',
      'Service/moscow-time-distroless',
      'Service/moscow-time-slim',
    ]);
    // Each overlay renders on its own too: `kubectl apply -k deploy/kubernetes/overlays/<variant>`.
    for (const variant of ['slim', 'distroless']) {
      expect(
        render(`deploy/kubernetes/overlays/${variant}`).every(
          (object) => object.metadata?.name === `moscow-time-${variant}`,
        ),
      ).toBe(true);
    }
  });

  it.each(KUBERNETES_RULES.map((rule) => [rule.id, rule] as const))('follows %s', (_id, rule) => {
    expect(rule.check(manifests, FACTS), rule.why).toEqual([]);
  });

  it('probes routes the app really answers: 200 while serving, and /readyz 503 once it drains', async () => {
    const { app, readiness } = testApp();
    await request(app).get(FACTS.livenessPath).expect(200);
    await request(app).get(FACTS.readinessPath).expect(200);
    readiness.markShuttingDown();
    await request(app).get(FACTS.readinessPath).expect(503);
  });
});

/** A deep copy of the rendered objects with one change, to show a check fires on a near miss. */
function withDefect(objects: KubernetesObject[], change: (manifests: Manifests) => void): Manifests {
  const copy = sort(structuredClone(objects));
  change(copy);
  return copy;
}

describe.skipIf(kubectlMissing)('each check fires on a defect', () => {
  const objects = kubectlMissing ? [] : render('deploy/kubernetes');
  const slim = (manifests: Manifests) => {
    const deployment = manifests.deployments.find((entry) => entry.metadata?.name === 'moscow-time-slim');
    const pod = deployment?.spec?.template.spec;
    const container = pod?.containers[0];
    if (deployment === undefined || pod === undefined || container === undefined) throw new Error('no slim Deployment');
    return { deployment, pod, container };
  };

  const FIXTURES: [rule: string, defect: string, change: (manifests: Manifests) => void][] = [
    [
      'read-only-root-with-memory-tmp',
      'a writable root',
      (m) => {
        Object.assign(slim(m).container.securityContext ?? {}, { readOnlyRootFilesystem: false });
      },
    ],
    [
      'read-only-root-with-memory-tmp',
      'an unbounded /tmp',
      (m) => {
        delete slim(m).pod.volumes?.[0]?.emptyDir?.sizeLimit;
      },
    ],
    [
      'no-service-account-token',
      'a mounted token',
      (m) => {
        slim(m).pod.automountServiceAccountToken = true;
      },
    ],
    [
      'probes-match-the-app',
      'readiness on /healthz',
      (m) => {
        Object.assign(slim(m).container.readinessProbe?.httpGet ?? {}, { path: '/healthz' });
      },
    ],
    [
      'probes-match-the-app',
      'another container port',
      (m) => {
        Object.assign(slim(m).container.ports?.[0] ?? {}, { containerPort: 8080 });
      },
    ],
    [
      'probes-match-the-app',
      'liveness on the public port',
      (m) => {
        Object.assign(slim(m).container.livenessProbe?.httpGet ?? {}, { port: 'http' });
      },
    ],
    [
      'runs-as-the-image-user',
      "the other image's UID",
      (m) => {
        Object.assign(slim(m).pod.securityContext ?? {}, { runAsUser: 65532 });
      },
    ],
    [
      'drains-before-the-kill',
      'a grace period too short',
      (m) => {
        slim(m).pod.terminationGracePeriodSeconds = 10;
      },
    ],
    [
      'drains-before-the-kill',
      'no preStop sleep',
      (m) => {
        delete slim(m).container.lifecycle;
      },
    ],
    [
      'resources-as-measured',
      'a limit compose does not have',
      (m) => {
        Object.assign(slim(m).container.resources?.limits ?? {}, { memory: '256Mi' });
      },
    ],
    [
      'resources-as-measured',
      'no CPU request',
      (m) => {
        delete slim(m).container.resources?.requests?.cpu;
      },
    ],
    [
      'rollout-without-downtime',
      'a rollout that drops a pod',
      (m) => {
        Object.assign(slim(m).deployment.spec?.strategy?.rollingUpdate ?? {}, { maxUnavailable: 1 });
      },
    ],
    [
      'rollout-without-downtime',
      'one replica',
      (m) => {
        Object.assign(slim(m).deployment.spec ?? {}, { replicas: 1 });
      },
    ],
    [
      'images-as-published',
      "the other variant's image",
      (m) => {
        slim(m).container.image = 'ghcr.io/owner/moscow-time:distroless';
      },
    ],
    [
      'images-as-published',
      'another registry',
      (m) => {
        slim(m).container.image = 'docker.io/library/moscow-time:slim';
      },
    ],
    [
      'variants-side-by-side',
      'a Service selecting both variants',
      (m) => {
        const service = m.services[0];
        if (service?.spec) service.spec.selector = { 'app.kubernetes.io/name': 'moscow-time' };
      },
    ],
    [
      'network-policy',
      'egress allowed',
      (m) => {
        Object.assign(m.policies[0]?.spec ?? {}, { egress: [{}] });
      },
    ],
    [
      'network-policy',
      'the metrics port closed',
      (m) => {
        Object.assign(m.policies[0]?.spec?.ingress?.[0] ?? {}, { ports: [{ protocol: 'TCP', port: 'http' }] });
      },
    ],
    [
      'network-policy',
      'every port open',
      (m) => {
        Object.assign(m.policies[0]?.spec?.ingress?.[0] ?? {}, { ports: [] });
      },
    ],
    [
      'scrape-annotations',
      'no scrape annotation',
      (m) => {
        delete slim(m).deployment.spec?.template.metadata?.annotations?.['prometheus.io/scrape'];
      },
    ],
  ];

  it('has a fixture for every rule', () => {
    const covered = new Set(FIXTURES.map(([rule]) => rule));
    expect(KUBERNETES_RULES.map((rule) => rule.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it.each(FIXTURES)('%s fires on %s, and no other rule does', (ruleId, _defect, change) => {
    const bad = withDefect(objects, change);
    expect(KUBERNETES_RULES.filter((rule) => rule.check(bad, FACTS).length > 0).map((rule) => rule.id)).toEqual([
      ruleId,
    ]);
  });
});
