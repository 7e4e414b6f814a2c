/** Whether the server still takes new work; flipped once, when shutdown begins. */
export interface Readiness {
  isReady(): boolean;
  markShuttingDown(): void;
}

export function createReadiness(): Readiness {
  let ready = true;
  return {
    isReady: () => ready,
    markShuttingDown: () => {
      ready = false;
    },
  };
}
