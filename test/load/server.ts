import http from 'node:http';
import https from 'node:https';
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

export interface ServerOptions {
  /** Default: any free port. */
  readonly port?: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** An HTTP(S) server on 127.0.0.1 with counters; `handle` gets the request's 0-based number. */
export async function startServer(handle: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void, options: ServerOptions = {}): Promise<TestServer> {
  let connections = 0;
  let requests = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    res.once('close', () => concurrent--);
    handle(req, res, requests++);
  };
  const server = options.tls ? https.createServer(options.tls, onRequest) : http.createServer(onRequest);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const bound = (server.address() as net.AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${bound}/`,
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
