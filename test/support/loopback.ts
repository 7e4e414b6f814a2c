import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * Client sockets on loopback that a test opens and its afterEach closes: `open` resolves once connected (the
 * server has seen the connection, accepted or closed at accept); `closeAll` destroys every one still open.
 */
export function loopbackSockets(): { open: (port: number) => Promise<Socket>; closeAll: () => void } {
  const sockets: Socket[] = [];
  return {
    async open(port) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      sockets.push(socket);
      await once(socket, 'connect');
      return socket;
    },
    closeAll() {
      for (const socket of sockets.splice(0)) socket.destroy();
    },
  };
}
