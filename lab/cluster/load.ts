import { request } from 'node:http';

// Steady load on a Service for a rollout or a drain: each request on a new connection, so that the
// Service's proxy picks a pod for every one, as new clients would. Prints the counts as JSON.
//   node lab/cluster/load.ts <host> <seconds> <concurrency>
const [host = '', seconds = '0', concurrency = '1'] = process.argv.slice(2);
const end = Date.now() + Number(seconds) * 1000;
const counts = { ok: 0, failed: 0, errors: {} as Record<string, number> };

function fail(reason: string): void {
  counts.failed++;
  counts.errors[reason] = (counts.errors[reason] ?? 0) + 1;
}

function once(): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host, port: 5000, path: '/api/time', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode === 200 && body.includes('"offset":"+03:00"')) counts.ok++;
        else fail(`status ${String(res.statusCode)}`);
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      fail(error.code ?? error.message);
      resolve();
    });
    req.end();
  });
}

async function worker(): Promise<void> {
  while (Date.now() < end) await once();
}

await Promise.all(Array.from({ length: Number(concurrency) }, worker));
console.log(JSON.stringify(counts));
