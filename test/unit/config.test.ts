import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadProbeTarget } from '../../src/config.ts';

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      port: 5000,
      host: '0.0.0.0',
      logLevel: 'info',
      timeZone: 'Europe/Moscow',
      shutdownGraceMs: 5000,
      metricsPort: undefined,
      maxConnections: undefined,
      version: '0.0.0-local',
      revision: 'unknown',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', TIMEZONE: '', LOG_LEVEL: '' })).toEqual(loadConfig({}));
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        PORT: '8080',
        HOST: '::',
        LOG_LEVEL: 'WARN',
        TIMEZONE: 'america/new_york',
        SHUTDOWN_GRACE_MS: '2500',
        METRICS_PORT: '9100',
        MAX_CONNECTIONS: '500',
        VERSION: '1.2.3',
        REVISION: '0123abc',
      }),
    ).toEqual({
      port: 8080,
      host: '::',
      logLevel: 'warn',
      timeZone: 'America/New_York',
      shutdownGraceMs: 2500,
      metricsPort: 9100,
      maxConnections: 500,
      version: '1.2.3',
      revision: '0123abc',
    });
  });

  it('accepts PORT=0: the system picks a free port, and the server logs it', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid PORT="abc": expected a TCP port number from 0 (any free port) to 65535'],
    [{ PORT: '65536' }, 'Invalid PORT="65536": expected a TCP port number from 0 (any free port) to 65535'],
    [{ PORT: '80.5' }, 'Invalid PORT="80.5": expected a TCP port number from 0 (any free port) to 65535'],
    [{ PORT: '-1' }, 'Invalid PORT="-1": expected a TCP port number from 0 (any free port) to 65535'],
    [{ HOST: 'local host' }, 'Invalid HOST="local host": expected an IP address or host name such as 0.0.0.0'],
    [
      { LOG_LEVEL: 'verbose' },
      'Invalid LOG_LEVEL="verbose": expected one of fatal, error, warn, info, debug, trace, silent',
    ],
    [
      { TIMEZONE: 'Mars/Olympus_Mons' },
      'Invalid TIMEZONE="Mars/Olympus_Mons": expected an IANA time zone such as Europe/Moscow',
    ],
    [{ TIMEZONE: '+03:00' }, 'Invalid TIMEZONE="+03:00": expected an IANA time zone such as Europe/Moscow'],
    [{ SHUTDOWN_GRACE_MS: '5s' }, 'Invalid SHUTDOWN_GRACE_MS="5s": expected milliseconds from 0 to 600000'],
    [{ SHUTDOWN_GRACE_MS: '600001' }, 'Invalid SHUTDOWN_GRACE_MS="600001": expected milliseconds from 0 to 600000'],
    [
      { METRICS_PORT: '5000' },
      'Invalid METRICS_PORT="5000": expected a TCP port number from 0 (any free port) to 65535, other than PORT',
    ],
    [
      { PORT: '9100', METRICS_PORT: '9100' },
      'Invalid METRICS_PORT="9100": expected a TCP port number from 0 (any free port) to 65535, other than PORT',
    ],
    [{ MAX_CONNECTIONS: '1' }, 'Invalid MAX_CONNECTIONS="1": expected a whole number from 2 to 1000000'],
    [{ MAX_CONNECTIONS: 'lots' }, 'Invalid MAX_CONNECTIONS="lots": expected a whole number from 2 to 1000000'],
    [{ VERSION: '1.2.3 beta' }, 'Invalid VERSION="1.2.3 beta": expected up to 64 letters, digits and . _ + -'],
    [
      { REVISION: 'x'.repeat(65) },
      `Invalid REVISION="${'x'.repeat(65)}": expected up to 64 letters, digits and . _ + -`,
    ],
  ])('refuses %o with one line naming the variable', (env, message) => {
    const error = errorOf(env);
    expect(error).toBe(message);
    expect(error).not.toContain('\n');
  });
});

describe('loadProbeTarget', () => {
  it('probes where the server listens by default', () => {
    expect(loadProbeTarget({})).toEqual({ host: '0.0.0.0', port: 5000 });
    expect(loadProbeTarget({ HOST: '::1', PORT: '8080' })).toEqual({ host: '::1', port: 8080 });
  });

  it.each(['0', 'http', '70000'])('refuses PORT=%s: the probe needs the real port', (port) => {
    expect(() => loadProbeTarget({ PORT: port })).toThrow(
      `Invalid PORT="${port}": expected a TCP port number from 1 to 65535 (the probe needs the real port)`,
    );
  });

  it('probes the metrics listener when METRICS_PORT gives it one, where a flood of PORT cannot starve it', () => {
    expect(loadProbeTarget({ PORT: '8080', METRICS_PORT: '9090' })).toEqual({ host: '0.0.0.0', port: 9090 });
  });

  it('refuses METRICS_PORT=0 too: the probe needs the real port', () => {
    expect(() => loadProbeTarget({ METRICS_PORT: '0' })).toThrow(
      'Invalid METRICS_PORT="0": expected a TCP port number from 1 to 65535 (the probe needs the real port)',
    );
  });
});
