/** What /readyz says: whether the server takes new work, and if not, why. */
type ReadinessState = 'ready' | 'overloaded' | 'shutting down';

export interface Readiness {
  state(): ReadinessState;
  /** Once, when shutdown begins; readiness never returns. */
  markShuttingDown(): void;
}

/** `overloaded` says whether the server is at its connection limit right now (admission.ts). */
export function createReadiness(overloaded: () => boolean = () => false): Readiness {
  let shuttingDown = false;
  return {
    state: () => (shuttingDown ? 'shutting down' : overloaded() ? 'overloaded' : 'ready'),
    markShuttingDown: () => {
      shuttingDown = true;
    },
  };
}
