import { describe, expect, it } from 'vitest';
import { passedOn } from './server-process.ts';
import { HOLDING_MARKER } from '../../test/support/response-delay.ts';

// npm run bench printed the app's late request lines ("completed":false, logged on stderr as a server stopped
// with requests in flight) in the middle of its report.
describe('what a server’s stderr adds to the bench report', () => {
  it('leaves out the app’s log lines and the hook’s', () => {
    const late =
      '{"level":30,"time":1796652838604,"pid":24037,"hostname":"vm","reqId":"eb0babf1","method":"GET","path":"/api/time","status":200,"durationMs":2.82,"completed":false,"msg":"request"}';
    const dropped = '{"level":40,"time":1796652838604,"pid":24037,"droppedLines":12,"msg":"log lines dropped"}';
    expect([late, dropped, `${HOLDING_MARKER} GET /api/time`, ''].filter(passedOn)).toEqual([]);
  });

  it('keeps what says a server went wrong', () => {
    const failures = [
      'Cannot listen on 127.0.0.1:5000: the port is in use by another process',
      'node:internal/modules/run_main:123',
      '    at file:///app/dist/server.js:1:1',
    ];
    expect(failures.filter(passedOn)).toEqual(failures);
  });
});
