import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openFifo } from '../support/fifo.ts';
import { closeLogOutput, createLogOutput, reportDroppedLines } from '../../src/observability/logger.ts';

// A FIFO nobody reads yet stands in for a slow stdout: the kernel takes 64 KiB, then every write waits.
function stalledPipe() {
  const fifo = openFifo({ nonBlockingWriter: true });
  return { ...fifo, lines: () => fifo.text().split('\n').filter(Boolean) };
}

// Fills the pipe's kernel buffer, so that not even the first write gets through until someone reads.
function fillPipe(writer: number): void {
  const block = Buffer.alloc(4096, '#');
  for (;;) {
    try {
      writeSync(writer, block);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return;
      throw error;
    }
  }
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
});

describe('log output', () => {
  it('drops and counts lines instead of buffering without limit when stdout is slow', async () => {
    const pipe = stalledPipe();
    cleanup = pipe.close;
    const limitBytes = 64 * 1024;
    const output = createLogOutput('info', pipe.writer, limitBytes);
    const total = 20_000;
    for (let index = 0; index < total; index += 1) output.logger.info({ index }, 'a line of about eighty bytes');
    const dropped = output.unreported();
    expect(dropped).toBeGreaterThan(total / 2);

    const reading = setInterval(() => pipe.read(), 5);
    expect(await output.end(10_000)).toBe(true);
    clearInterval(reading);
    while (pipe.read());

    const delivered = pipe.lines().map((line) => JSON.parse(line) as { index: number });
    expect(delivered.length + dropped).toBe(total);
    // Whole lines, in order: dropping happens between lines, never inside one.
    const indexes = delivered.map((record) => record.index);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(delivered.length * 90).toBeLessThan(limitBytes + 64 * 1024 + 90);
  });

  it('reports how many lines it dropped', async () => {
    const pipe = stalledPipe();
    cleanup = pipe.close;
    const output = createLogOutput('info', pipe.writer, 4096);
    const stopReports = reportDroppedLines(output, 60_000);
    for (let index = 0; index < 5000; index += 1) output.logger.info({ index }, 'filler');
    const reading = setInterval(() => pipe.read(), 5);
    // Until the reader has made room, a report is dropped too and keeps its count; retried, one gets through.
    let reportLines = 0;
    await vi.waitFor(
      () => {
        // Each attempt with something to report writes one line of its own, delivered or dropped.
        if (output.unreported() > 0) reportLines += 1;
        output.reportDropped();
        expect(output.unreported()).toBe(0);
      },
      { timeout: 10_000 },
    );
    stopReports();
    await output.end(10_000);
    clearInterval(reading);
    while (pipe.read());
    const records = pipe
      .lines()
      .map((line) => JSON.parse(line) as { msg: string; droppedLines?: number; level: number });
    const reports = records.filter((record) => record.droppedLines !== undefined);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ level: 40, msg: 'log lines dropped: stdout was slower than the log rate' });
    // Every line written is accounted for exactly once: delivered, or counted by the one report that got
    // through (which counts the reports dropped before it, and not itself).
    const delivered = records.filter((record) => record.msg === 'filler').length;
    expect(delivered + (reports[0]?.droppedLines ?? 0) + 1).toBe(5000 + reportLines);
  });

  it('keeps the count when the report itself finds the buffer full', () => {
    const pipe = stalledPipe();
    cleanup = pipe.close;
    const output = createLogOutput('info', pipe.writer, 4096);
    for (let index = 0; index < 1000; index += 1) output.logger.info({ index }, 'filler');
    const dropped = output.unreported();
    expect(dropped).toBeGreaterThan(0);
    output.reportDropped();
    // Nothing got through, so nothing is forgotten: the lines, plus the report line that was dropped too.
    expect(output.unreported()).toBe(dropped + 1);
    const reading = setInterval(() => pipe.read(), 5);
    return output.end(10_000).finally(() => {
      clearInterval(reading);
    });
  });

  it('says on stderr, at exit, what stdout could not take in time', async () => {
    const pipe = stalledPipe();
    cleanup = pipe.close;
    const stderrFile = join(tmpdir(), `moscow-time-stderr-${String(process.pid)}.log`);
    const stderrFd = openSync(stderrFile, 'w');
    fillPipe(pipe.writer);
    const output = createLogOutput('info', pipe.writer, 4096);
    for (let index = 0; index < 1000; index += 1) output.logger.info({ index }, 'filler');
    const dropped = output.unreported();

    await closeLogOutput(output, 'info', stderrFd, 50);
    closeSync(stderrFd);
    const report = JSON.parse(readFileSync(stderrFile, 'utf8')) as { level: number; droppedLines: number; msg: string };
    rmSync(stderrFile);
    expect(report).toMatchObject({
      level: 40,
      msg: 'log lines dropped: stdout was slower than the log rate; the last buffered lines were not written before exit',
    });
    // Nothing reached the pipe: the lines dropped at once, and the ones still buffered when time ran out.
    expect(dropped).toBeLessThan(1000);
    expect(report.droppedLines).toBe(1000);
    // Let the stream finish writing into the pipe so it closes before the pipe does.
    await vi.waitFor(
      () => {
        expect(pipe.read()).toBe(false);
      },
      { timeout: 10_000, interval: 5 },
    );
  });

  it('writes a line logged once the output is ending to stderr at once, instead of throwing', async () => {
    const pipe = stalledPipe();
    cleanup = pipe.close;
    const stderrFile = join(tmpdir(), `moscow-time-late-${String(process.pid)}.log`);
    const stderrFd = openSync(stderrFile, 'w');
    const output = createLogOutput('info', pipe.writer, 64 * 1024, stderrFd);
    output.logger.info('before');
    // A grace generous enough for a busy machine: ending waits for the flush, not for the grace.
    const ending = output.end(10_000);
    // What an uncaught exception during the exit, or a second signal, would log.
    expect(() => {
      output.logger.fatal('late');
    }).not.toThrow();
    await ending;
    // Read once the flush is done: before it, 'before' may still be on its way (slower on a busy machine).
    pipe.read();
    expect(() => {
      output.logger.warn('after the end');
    }).not.toThrow();
    closeSync(stderrFd);
    const late = readFileSync(stderrFile, 'utf8').trim().split('\n');
    rmSync(stderrFile);
    expect(late.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['late', 'after the end']);
    expect(pipe.lines().map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['before']);
  });

  it('abandons what is buffered when told to, counting it lost, and sends later lines to stderr', () => {
    const pipe = stalledPipe();
    cleanup = pipe.close;
    const stderrFile = join(tmpdir(), `moscow-time-abandon-${String(process.pid)}.log`);
    const stderrFd = openSync(stderrFile, 'w');
    fillPipe(pipe.writer);
    const output = createLogOutput('info', pipe.writer, 64 * 1024, stderrFd);
    for (let index = 0; index < 10; index += 1) output.logger.info({ index }, 'buffered');
    output.abandon();
    expect(output.unreported()).toBe(10);
    output.logger.warn({ droppedLines: output.unreported() }, 'last words');
    closeSync(stderrFd);
    const lines = readFileSync(stderrFile, 'utf8').trim().split('\n');
    rmSync(stderrFile);
    expect(lines.map((line) => JSON.parse(line) as object)).toEqual([
      expect.objectContaining({ msg: 'last words', droppedLines: 10 }),
    ]);
  });

  it('counts every line lost to a stdout whose reader went away, and writes no more', async () => {
    const pipe = stalledPipe();
    const output = createLogOutput('info', pipe.writer, 64 * 1024);
    output.logger.info('before');
    await vi.waitFor(
      () => {
        pipe.read();
        expect(pipe.lines()).toHaveLength(1);
      },
      { timeout: 10_000 },
    );
    pipe.close(); // no reader any more: the next write fails with EPIPE
    cleanup = undefined;
    for (let index = 0; index < 50; index += 1) output.logger.info({ index }, 'into a closed pipe');
    await vi.waitFor(
      () => {
        expect(output.failure()).toBe('EPIPE');
      },
      { timeout: 10_000 },
    );
    for (let index = 0; index < 20; index += 1) output.logger.info({ index }, 'after the failure');
    output.reportDropped(); // nowhere to report to: the count waits for the exit report
    expect(output.unreported()).toBe(70);
    expect(output.droppedTotal()).toBe(70);

    const stderrFile = join(tmpdir(), `moscow-time-stderr-epipe-${String(process.pid)}.log`);
    const stderrFd = openSync(stderrFile, 'w');
    await closeLogOutput(output, 'info', stderrFd);
    closeSync(stderrFd);
    const report = JSON.parse(readFileSync(stderrFile, 'utf8')) as { droppedLines: number; msg: string };
    rmSync(stderrFile);
    expect(report).toMatchObject({ droppedLines: 70, msg: 'log lines lost: stdout failed (EPIPE)' });
  });
});
