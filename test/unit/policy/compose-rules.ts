import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  ports?: string[];
  read_only?: boolean;
  tmpfs?: string[] | string;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  mem_limit?: string | number;
  cpus?: string | number;
  pids_limit?: number;
  privileged?: boolean;
  init?: boolean;
}

/** What each service must be: its image, Dockerfile, and host port (a variable with a default). */
const EXPECTED_SERVICES: Record<string, { image: string; dockerfile: string; hostPort: string }> = {
  slim: { image: 'moscow-time:slim', dockerfile: 'Dockerfile', hostPort: '${SLIM_PORT:-5000}' },
  distroless: {
    image: 'moscow-time:distroless',
    dockerfile: 'distroless.Dockerfile',
    hostPort: '${DISTROLESS_PORT:-5001}',
  },
};

/** "${NAME:-value}" → "value", what Compose uses when the variable is unset. */
function withDefaults(text: string): string {
  return text.replace(/\$\{\w+:-([^}]*)\}/g, '$1');
}

// The app serves plain HTTP meant for this machine's browser: by default it is published on loopback only,
// and an operator opens it wider on purpose (CIS Docker Benchmark 5.14 warns on ports bound to 0.0.0.0).
function checkPorts(ports: string[], hostPort: string): string[] {
  const mapping = ports.find((port) => port.endsWith(':5000'));
  if (mapping === undefined) return ['does not publish container port 5000'];
  const problems: string[] = [];
  const parts = mapping.split(/:(?![^{]*\})/);
  if (parts.length !== 3) return [`publishes ${mapping} on every interface: give a host address`];
  const [address = '', port = ''] = parts;
  if (withDefaults(address) !== '127.0.0.1')
    problems.push(`publishes on ${withDefaults(address)} by default, not 127.0.0.1`);
  if (port !== hostPort) problems.push(`host port is ${port}, not ${hostPort}`);
  return problems;
}

export function parseCompose(text: string): Record<string, Service> {
  // `merge` resolves the <<: *hardened anchors the way Docker Compose does.
  const document = parse(text, { merge: true }) as { services?: Record<string, Service>; version?: unknown };
  if (document.version !== undefined)
    throw new Error('compose.yaml has a "version:" key; the Compose Specification has none');
  return document.services ?? {};
}

export function checkCompose(text: string): string[] {
  const services = parseCompose(text);
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(EXPECTED_SERVICES)) {
    const service = services[name];
    if (service === undefined) {
      problems.push(`no service ${name}`);
      continue;
    }
    const say = (problem: string) => problems.push(`${name}: ${problem}`);
    if (service.image !== expected.image) say(`image is ${String(service.image)}, not ${expected.image}`);
    if (service.build?.dockerfile !== expected.dockerfile)
      say(`builds ${String(service.build?.dockerfile)}, not ${expected.dockerfile}`);
    for (const problem of checkPorts(service.ports ?? [], expected.hostPort)) say(problem);
    if (service.read_only !== true) say('root filesystem is not read_only');
    if (![service.tmpfs ?? []].flat().some((mount) => mount.split(':')[0] === '/tmp')) say('no tmpfs on /tmp');
    if (!(service.cap_drop ?? []).includes('ALL')) say('does not drop ALL capabilities');
    if ((service.cap_add ?? []).length > 0) say(`adds capabilities ${String(service.cap_add)}`);
    if (!(service.security_opt ?? []).some((option) => /^no-new-privileges(:true)?$/.test(option)))
      say('lacks no-new-privileges');
    if (service.mem_limit === undefined) say('has no memory limit');
    // CIS Docker Benchmark 5.12: without a CPU limit, one container can take every core of the host.
    if (!(Number(service.cpus) > 0)) say('has no CPU limit');
    if (!(typeof service.pids_limit === 'number' && service.pids_limit > 0)) say('has no PIDs limit');
    if (service.privileged === true) say('is privileged');
    // Node handles signals itself as PID 1; an init would hide whether it does.
    if (service.init === true) say('uses init');
  }
  return problems;
}

/** The margin between the images' memory floor and the limit compose.yaml sets. */
const MEMORY_MARGIN = 2;

/**
 * compose.yaml's mem_limit must be MEMORY_MARGIN times the memory floor (MEMORY_FLOOR_MIB, which the lab
 * holds against the committed benchmark): the limit comes from a measurement, not a guess.
 */
export function checkMemoryLimit(text: string, floorMiB: number): string[] {
  const expected = `${MEMORY_MARGIN * floorMiB}m`;
  return Object.entries(parseCompose(text)).flatMap(([name, service]) =>
    String(service.mem_limit) === expected
      ? []
      : [`${name}: mem_limit is ${String(service.mem_limit)}, not ${expected}`],
  );
}
