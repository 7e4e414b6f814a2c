import type { LevelWithSilent } from 'pino';

/** The server's configuration; each field's variable, default and meaning is its row in VARIABLES. */
export interface Config {
  port: number;
  host: string;
  logLevel: LevelWithSilent;
  timeZone: string;
  shutdownGraceMs: number;
  /** undefined: /metrics is served on PORT with the app. */
  metricsPort: number | undefined;
  /** undefined: derived from the memory limit (lifecycle/connection-limits.ts). */
  maxConnections: number | undefined;
  version: string;
  revision: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** One environment variable; `npm run docs:generate` writes the README's table of variables from these. */
interface Variable<T> {
  name: string;
  /** The value when the variable is unset or empty. */
  default: T;
  /** The accepted values, as the error message and the README say them. */
  accepts: string;
  /** Reads a set value; undefined refuses it. */
  parse: (raw: string) => NonNullable<T> | undefined;
  /** What it changes, in one line. */
  doc: string;
}

/** A configuration error; its message is the one line the process prints before it exits. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const integer = (min: number, max: number) => (raw: string) => {
  const value = Number(raw);
  return /^\d+$/.test(raw.trim()) && value >= min && value <= max ? value : undefined;
};

const tcpPort = integer(0, 65_535);

// A metric label value: short, and nothing a scraper or a log reader has to escape.
const label = (raw: string) => (/^[\w.+-]{1,64}$/.test(raw) ? raw : undefined);

// pino's levels, most severe first. Keyed by pino's own type, so the compiler refuses a level missing or
// invented. (Reading pino's list at run time would import pino here, and so bundle it into the health
// probe: 2 KB became 156 KB.)
const LOG_LEVELS = Object.keys({
  fatal: true,
  error: true,
  warn: true,
  info: true,
  debug: true,
  trace: true,
  silent: true,
} satisfies Record<LevelWithSilent, true>) as LevelWithSilent[];

/** The table: every variable the server reads, in the order it checks them. */
export const VARIABLES: { [Key in keyof Config]: Variable<Config[Key]> } = {
  port: {
    name: 'PORT',
    default: 5000,
    accepts: 'a TCP port number from 0 (any free port) to 65535',
    parse: tcpPort,
    doc: 'where the server listens; with 0 the system picks a free port, which the server logs',
  },
  host: {
    name: 'HOST',
    default: '0.0.0.0',
    accepts: 'an IP address or host name such as 0.0.0.0',
    // An IPv4/IPv6 literal or a DNS name; anything else would only fail later inside listen().
    parse: (raw) => (/^[A-Za-z0-9.:-]{1,253}$/.test(raw.trim()) ? raw.trim() : undefined),
    doc: 'the address to listen on',
  },
  logLevel: {
    name: 'LOG_LEVEL',
    default: 'info',
    accepts: `one of ${LOG_LEVELS.join(', ')}`,
    parse: (raw) => LOG_LEVELS.find((level) => level === raw.trim().toLowerCase()),
    doc: 'the least severe log line written',
  },
  timeZone: {
    name: 'TIMEZONE',
    default: 'Europe/Moscow',
    accepts: 'an IANA time zone such as Europe/Moscow',
    // Intl accepts IANA names in any letter case and returns them canonical ("europe/moscow" → "Europe/Moscow");
    // it also accepts UTC offsets such as "+03:00", which name no place, so those are refused.
    parse(raw) {
      if (!/^[A-Za-z]/.test(raw.trim())) return undefined;
      try {
        return new Intl.DateTimeFormat('en', { timeZone: raw.trim() }).resolvedOptions().timeZone;
      } catch {
        return undefined;
      }
    },
    doc: 'the zone the page shows; its heading names the city',
  },
  shutdownGraceMs: {
    name: 'SHUTDOWN_GRACE_MS',
    default: 5000,
    accepts: 'milliseconds from 0 to 600000',
    parse: integer(0, 600_000),
    doc: 'how long in-flight requests may take after SIGTERM (Docker waits 10 s)',
  },
  metricsPort: {
    name: 'METRICS_PORT',
    default: undefined,
    accepts: 'a TCP port number from 0 (any free port) to 65535, other than PORT',
    parse: tcpPort,
    doc: 'a listener of its own for `/metrics` and the health probes, which a flood of `PORT` cannot starve (unset: all on `PORT`)',
  },
  maxConnections: {
    name: 'MAX_CONNECTIONS',
    default: undefined,
    accepts: 'a whole number from 2 to 1000000',
    parse: integer(2, 1_000_000),
    doc: 'open connections beyond which new ones are refused (unset: what the memory limit holds; docs/operations.md)',
  },
  // The Dockerfiles' build-argument defaults, so a local run reads like an unstamped image.
  version: {
    name: 'VERSION',
    default: '0.0.0-local',
    accepts: 'up to 64 letters, digits and . _ + -',
    parse: label,
    doc: 'the version `/metrics` reports; the images set it from their build argument',
  },
  revision: {
    name: 'REVISION',
    default: 'unknown',
    accepts: 'up to 64 letters, digits and . _ + -',
    parse: label,
    doc: 'the commit `/metrics` reports; the images set it from their build argument',
  },
};

function refuse(variable: Variable<unknown>, raw: string): ConfigError {
  return new ConfigError(`Invalid ${variable.name}=${JSON.stringify(raw)}: expected ${variable.accepts}`);
}

function read<T>(env: Env, variable: Variable<T>): T {
  const raw = env[variable.name];
  if (raw === undefined || raw === '') return variable.default;
  const value = variable.parse(raw);
  if (value === undefined) throw refuse(variable, raw);
  return value;
}

/** Reads every row; the table's type gives each key of T a row, so each key gets its value. */
function readTable<T>(env: Env, table: { [Key in keyof T]: Variable<T[Key]> }): T {
  const values: Partial<T> = {};
  for (const key in table) values[key] = read(env, table[key]);
  return values as T;
}

export function loadConfig(env: Env): Config {
  const config = readTable(env, VARIABLES);
  // One port cannot take both listeners; 0 is not a clash: each gets a free port of its own.
  if (config.metricsPort !== undefined && config.metricsPort !== 0 && config.metricsPort === config.port) {
    throw refuse(VARIABLES.metricsPort, env.METRICS_PORT ?? '');
  }
  return config;
}

/** A port variable as the probe reads it: it must reach the port, so "any free port" (0) is no answer. */
function realPort<T extends number | undefined>(variable: Variable<T>): Variable<T> {
  return {
    ...variable,
    accepts: 'a TCP port number from 1 to 65535 (the probe needs the real port)',
    parse: (raw) => {
      const port = tcpPort(raw);
      return port === 0 ? undefined : (port as NonNullable<T> | undefined);
    },
  };
}

/**
 * Where the health probe asks: METRICS_PORT's listener when there is one, which a flood of connections to
 * PORT cannot starve, else PORT.
 */
export function loadProbeTarget(env: Env): Pick<Config, 'host' | 'port'> {
  return {
    host: read(env, VARIABLES.host),
    port: read(env, realPort(VARIABLES.metricsPort)) ?? read(env, realPort(VARIABLES.port)),
  };
}
