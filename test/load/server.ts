import http from 'node:http';
import net from 'node:net';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Requests received so far. */
  readonly requests: number;
  /** Most requests being handled at once. */
  readonly maxConcurrent: number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (on `port`, or any free one) with counters; `handle` gets the request's 0-based number. */
export async function startServer(handle: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void, port = 0): Promise<TestServer> {
  let connections = 0;
  let requests = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const server = http.createServer((req, res) => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    res.once('close', () => concurrent--);
    handle(req, res, requests++);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    port: bound,
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
