import { once } from 'node:events';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';

/** Sends bytes exactly as given (no client library would send a bad method) and returns the raw reply. */
export async function rawRequest(app: RequestListener, requestText: string): Promise<string> {
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.end(requestText);
    let reply = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
    await once(socket, 'close');
    return reply;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
