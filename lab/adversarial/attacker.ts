import { parentPort, workerData } from 'node:worker_threads';
import type { Address } from '../../test/support/load/connection.ts';
import { SHAPES, type Attack } from './shapes.ts';

// One shape, in a worker thread of its own: the attack has an event loop (and, pinned, a core) of its own,
// so it does not slow down the polite client and the probes the harness runs beside it.

export interface AttackOrder {
  shape: string;
  address: Address;
  seconds: number;
}

const { shape: name, address, seconds } = workerData as AttackOrder;
const shape = SHAPES.find((candidate) => candidate.name === name);
if (shape === undefined) throw new Error(`no shape named ${name}`);
const attack: Attack = await shape.run(address, Date.now() + seconds * 1000);
parentPort?.postMessage(attack);
