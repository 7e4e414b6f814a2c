import { setTimeout as sleep } from 'node:timers/promises';

/** Runs `once` every `everyMs` (or right after, when it took longer) until `stop.requested`. */
export async function every(everyMs: number, stop: { requested: boolean }, once: () => Promise<void>): Promise<void> {
  while (!stop.requested) {
    const started = performance.now();
    await once();
    await sleep(Math.max(0, started + everyMs - performance.now()));
  }
}
