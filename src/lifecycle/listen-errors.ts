/** Where the server tried to listen, as the configuration gave it. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * The one line to print when listen() fails for a reason the operator can fix by changing HOST or PORT,
 * or undefined for anything else (a bug, which is logged in full instead).
 */
export function describeListenFailure(
  error: NodeJS.ErrnoException,
  { host, port }: ListenAddress,
  portVariable = 'PORT',
): string | undefined {
  const where = `Cannot listen on ${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `${where}: the port is in use by another process; set ${portVariable} to a free port`;
    case 'EACCES':
      return `${where}: permission denied (ports below 1024 need privileges); set ${portVariable} to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `${where}: ${host} is not an address of this machine; set HOST to a local address, or 0.0.0.0 for all`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${where}: the host name ${host} does not resolve; set HOST to an IP address or a resolvable name`;
    default:
      return undefined;
  }
}
