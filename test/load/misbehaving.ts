import http from 'node:http';
import net from 'node:net';
import { closedPort } from './server.ts';

/** Ways a target can fail the load generator, each at the level where it happens (TCP, HTTP head, HTTP body). */
export const MISBEHAVIOURS = [
  /** Nothing listens on the port. */
  'refuse',
  /** The connection is accepted, then reset (RST) before a byte is read. */
  'reset-on-accept',
  /** Headers and part of the body, then a reset. */
  'reset-mid-body',
  /** The request is read and never answered. */
  'stall-headers',
  /** Headers and part of the body, then silence. */
  'stall-body',
  /** Answers fully, then closes every kept-alive connection as soon as it is idle. */
  'close-idle',
  /** Answers every request with bytes that are not HTTP. */
  'garbage',
] as const;
export type Misbehaviour = (typeof MISBEHAVIOURS)[number];

/**
 * The outcome labels the generator may record against each behaviour, in either connection
 * mode; which of the listed ones appears depends on who notices first (a reset before or after
 * the request is written) and on the mode (undici reports a body cut short on a `connection:
 * close` request as a content-length mismatch, on a kept-alive one as a socket error).
 */
export const OUTCOMES: Readonly<Record<Misbehaviour, readonly string[]>> = {
  refuse: ['ECONNREFUSED'],
  'reset-on-accept': ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'],
  'reset-mid-body': ['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'],
  'stall-headers': ['UND_ERR_HEADERS_TIMEOUT'],
  'stall-body': ['UND_ERR_BODY_TIMEOUT'],
  // A request written just as the server closes the idle connection fails; the rest are answered.
  'close-idle': ['200', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'],
  garbage: ['HTTP_PARSE'],
};

export interface MisbehavingServer {
  readonly url: string;
  /** TCP connections accepted so far (0 for 'refuse'). */
  readonly connections: number;
  close(): Promise<void>;
}

/** A partial body: the response promises more than it sends. */
const PARTIAL = { head: { 'content-length': '100' }, chunk: 'partial' };

export async function startMisbehavingServer(behaviour: Misbehaviour): Promise<MisbehavingServer> {
  if (behaviour === 'refuse') {
    const port = await closedPort();
    return { url: `http://127.0.0.1:${port}/`, connections: 0, close: async () => {} };
  }
  const server = createServer(behaviour);
  const sockets = new Set<net.Socket>();
  let connections = 0;
  server.on('connection', (socket: net.Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset racing the client's write surfaces here too; the client's view is what is tested.
    socket.on('error', () => {});
  });
  // The kernel's cap (somaxconn) rather than Node's 511: at 1,000 new connections/s a test machine's
  // stall of half a second would otherwise overflow the queue and add connect timeouts.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function createServer(behaviour: Exclude<Misbehaviour, 'refuse'>): net.Server {
  switch (behaviour) {
    case 'reset-on-accept':
      return net.createServer((socket) => socket.resetAndDestroy());
    case 'stall-headers':
      // Raw TCP: an http.Server would apply its own request timeouts.
      return net.createServer((socket) => socket.resume());
    case 'garbage':
      return net.createServer((socket) => socket.once('data', () => socket.end('\x00\x01 not http at all \xff\r\n\r\n')));
    case 'reset-mid-body':
      return http.createServer((_req, res) => {
        res.writeHead(200, PARTIAL.head);
        res.write(PARTIAL.chunk, () => res.socket?.resetAndDestroy());
      });
    case 'stall-body':
      return http.createServer((_req, res) => {
        res.writeHead(200, PARTIAL.head);
        res.write(PARTIAL.chunk);
      });
    case 'close-idle': {
      // As a proxy with a short idle timeout: the connection stays open after the answer (no
      // Keep-Alive header tells the client otherwise), then is closed after 1 ms without a request.
      const idle = new WeakMap<net.Socket, NodeJS.Timeout>();
      const server = http.createServer((req, res) => {
        const socket = req.socket;
        clearTimeout(idle.get(socket));
        res.end('ok', () => idle.set(socket, setTimeout(() => socket.end(), 1)));
      });
      server.keepAliveTimeout = 0;
      return server;
    }
  }
}
