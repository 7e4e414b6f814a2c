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
  pids_limit?: number;
  privileged?: boolean;
  init?: boolean;
}

/** What each service must be: its image, Dockerfile and published port (overridable by a variable). */
export const EXPECTED_SERVICES: Record<string, { image: string; dockerfile: string; port: string }> = {
  slim: { image: 'moscow-time:slim', dockerfile: 'Dockerfile', port: '${SLIM_PORT:-5000}:5000' },
  distroless: {
    image: 'moscow-time:distroless',
    dockerfile: 'distroless.Dockerfile',
    port: '${DISTROLESS_PORT:-5001}:5000',
  },
};

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
    if (!(service.ports ?? []).includes(expected.port)) say(`does not publish ${expected.port}`);
    if (service.read_only !== true) say('root filesystem is not read_only');
    if (![service.tmpfs ?? []].flat().some((mount) => mount.split(':')[0] === '/tmp')) say('no tmpfs on /tmp');
    if (!(service.cap_drop ?? []).includes('ALL')) say('does not drop ALL capabilities');
    if ((service.cap_add ?? []).length > 0) say(`adds capabilities ${String(service.cap_add)}`);
    if (!(service.security_opt ?? []).some((option) => /^no-new-privileges(:true)?$/.test(option)))
      say('lacks no-new-privileges');
    if (service.mem_limit === undefined) say('has no memory limit');
    if (!(typeof service.pids_limit === 'number' && service.pids_limit > 0)) say('has no PIDs limit');
    if (service.privileged === true) say('is privileged');
    // Node handles signals itself as PID 1; an init would hide whether it does.
    if (service.init === true) say('uses init');
  }
  return problems;
}
