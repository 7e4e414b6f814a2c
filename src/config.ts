export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** 0 asks the system for a free port; the server logs the one it got. */
  port: number;
  host: string;
  logLevel: LogLevel;
  timeZone: string;
  shutdownGraceMs: number;
  /** A listener of its own for /metrics; undefined: /metrics is served on PORT with the app. */
  metricsPort: number | undefined;
  /** What is running, for the build_info metric: the image's build arguments, or local values. */
  version: string;
  revision: string;
}

/** What the health probe needs: where the server listens. */
export interface ProbeTarget {
  host: string;
  port: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration error; its message is the one line the process prints before it exits. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function invalid(variable: string, accepts: string, value: string): ConfigError {
  return new ConfigError(`Invalid ${variable}=${JSON.stringify(value)}: expected ${accepts}`);
}

interface IntegerRule {
  variable: string;
  fallback: number;
  min: number;
  max: number;
  /** How the error message describes the accepted values. */
  accepts: string;
}

function integer(env: Env, { variable, fallback, min, max, accepts }: IntegerRule): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw invalid(variable, accepts, raw);
  return value;
}

function oneOf<T extends string>(env: Env, variable: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw invalid(variable, `one of ${allowed.join(', ')}`, raw);
  return match;
}

// Intl accepts IANA names in any letter case and returns them canonical ("europe/moscow" → "Europe/Moscow");
// it also accepts UTC offsets such as "+03:00", which name no place, so those are refused.
function timeZone(env: Env, fallback: string): string {
  const raw = env.TIMEZONE;
  if (raw === undefined || raw === '') return fallback;
  const error = invalid('TIMEZONE', 'an IANA time zone such as Europe/Moscow', raw);
  if (!/^[A-Za-z]/.test(raw.trim())) throw error;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: raw.trim() }).resolvedOptions().timeZone;
  } catch {
    throw error;
  }
}

function host(env: Env, fallback: string): string {
  const raw = env.HOST;
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim();
  // An IPv4/IPv6 literal or a DNS name; anything else would only fail later inside listen().
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(value)) throw invalid('HOST', 'an IP address or host name such as 0.0.0.0', raw);
  return value;
}

const PORT = { variable: 'PORT', fallback: 5000, max: 65535 };

function label(env: Env, variable: string, fallback: string): string {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  // A metric label value: short, and nothing a scraper or a log reader has to escape.
  if (!/^[\w.+-]{1,64}$/.test(raw)) throw invalid(variable, 'up to 64 letters, digits and . _ + -', raw);
  return raw;
}

function metricsPort(env: Env, port: number): number | undefined {
  if (env.METRICS_PORT === undefined || env.METRICS_PORT === '') return undefined;
  const rule = {
    variable: 'METRICS_PORT',
    fallback: 0,
    min: 0,
    max: 65535,
    accepts: 'a TCP port number from 0 (any free port) to 65535, other than PORT',
  };
  const value = integer(env, rule);
  if (value !== 0 && value === port) throw invalid(rule.variable, rule.accepts, env.METRICS_PORT);
  return value;
}

export function loadConfig(env: Env): Config {
  const port = integer(env, { ...PORT, min: 0, accepts: 'a TCP port number from 0 (any free port) to 65535' });
  return {
    port,
    host: host(env, '0.0.0.0'),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    timeZone: timeZone(env, 'Europe/Moscow'),
    shutdownGraceMs: integer(env, {
      variable: 'SHUTDOWN_GRACE_MS',
      fallback: 5000,
      min: 0,
      max: 600_000,
      accepts: 'milliseconds from 0 to 600000',
    }),
    metricsPort: metricsPort(env, port),
    // The Dockerfiles' build-argument defaults, so a local run reads like an unstamped image.
    version: label(env, 'VERSION', '0.0.0-local'),
    revision: label(env, 'REVISION', 'unknown'),
  };
}

/** The probe must reach the port the server listens on, so "any free port" (0) is no answer for it. */
export function loadProbeTarget(env: Env): ProbeTarget {
  return {
    host: host(env, '0.0.0.0'),
    port: integer(env, {
      ...PORT,
      min: 1,
      accepts: 'a TCP port number from 1 to 65535 (the probe needs the real port)',
    }),
  };
}
