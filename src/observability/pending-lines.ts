/**
 * The lines handed to an asynchronous stream and not yet written out, in order, by byte length: when the
 * stream reports n bytes written, the lines those bytes complete leave the queue. What is left when the
 * stream fails, or when the process exits before it drains, is exactly what was lost.
 */
export interface PendingLines {
  add(bytes: number): void;
  /** The stream wrote this many bytes, from the front. */
  written(bytes: number): void;
  /** Forgets every pending line and says how many there were. */
  clear(): number;
}

export function createPendingLines(): PendingLines {
  let lengths: number[] = [];
  let head = 0;
  // Bytes of the line at `head` that are already out (a write may end inside a line).
  let partial = 0;
  return {
    add(bytes) {
      lengths.push(bytes);
    },
    written(bytes) {
      let left = partial + bytes;
      while (head < lengths.length && left >= (lengths[head] ?? 0)) {
        left -= lengths[head] ?? 0;
        head += 1;
      }
      partial = head < lengths.length ? left : 0;
      // Drop the consumed front now and then, so the array does not grow for ever.
      if (head > 1024 && head * 2 > lengths.length) {
        lengths = lengths.slice(head);
        head = 0;
      }
    },
    clear() {
      const count = lengths.length - head;
      lengths = [];
      head = 0;
      partial = 0;
      return count;
    },
  };
}
