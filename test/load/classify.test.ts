import { expect } from 'chai';
import { errors } from 'undici';
import { classifyError, errorOutcomeOf } from '../../harness/load/classify.ts';
import { createPool, type PoolOptions } from '../../harness/load/pool.ts';
import { isFailure, outcomeLabel } from '../../harness/load/types.ts';
import { closedPort, startServer, type TestServer } from './server.ts';

/** One GET through a fresh pool; resolves with its error (or undefined), then closes the pool. */
async function getError(origin: string, overrides: Partial<PoolOptions> = {}): Promise<Error | undefined> {
  const pool = createPool({
    origin,
    path: '/',
    connection: 'keep-alive',
    connectTimeoutMs: 2000,
    headersTimeoutMs: 2000,
    bodyTimeoutMs: 2000,
    maxConnections: 1,
    captureHeader: 'x-pod-name',
    ...overrides,
  });
  const error = await new Promise<Error | undefined>((resolve) => pool.get(0, (_id, _status, _header, err) => resolve(err)));
  await pool.close();
  return error;
}

describe('load/classify', () => {
  describe('real errors from undici', () => {
    let server: TestServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it('a closed loopback port is ECONNREFUSED', async () => {
      const err = await getError(`http://127.0.0.1:${await closedPort()}`);
      expect(classifyError(err)).to.equal('ECONNREFUSED');
    });

    it('a server closing the socket mid-body is UND_ERR_SOCKET (or ECONNRESET)', async () => {
      server = await startServer((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial', () => res.socket?.destroy());
      });
      const err = await getError(new URL(server.url).origin);
      expect(classifyError(err)).to.be.oneOf(['UND_ERR_SOCKET', 'ECONNRESET']);
    });

    it('a server resetting the connection mid-body is ECONNRESET', async () => {
      server = await startServer((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial', () => res.socket?.resetAndDestroy());
      });
      const err = await getError(new URL(server.url).origin);
      expect(classifyError(err)).to.be.oneOf(['ECONNRESET', 'UND_ERR_SOCKET']);
    });

    it('no response headers in time is UND_ERR_HEADERS_TIMEOUT', async () => {
      server = await startServer(() => {});
      const err = await getError(new URL(server.url).origin, { headersTimeoutMs: 100 });
      expect(classifyError(err)).to.equal('UND_ERR_HEADERS_TIMEOUT');
    });

    it('a stalled body is UND_ERR_BODY_TIMEOUT', async () => {
      server = await startServer((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
      });
      const err = await getError(new URL(server.url).origin, { bodyTimeoutMs: 100 });
      expect(classifyError(err)).to.equal('UND_ERR_BODY_TIMEOUT');
    });
  });

  describe('constructed errors', () => {
    const coded = (code: string) => Object.assign(new Error(code), { code });
    const cases: Array<[string, unknown, string]> = [
      ['undici ConnectTimeoutError', new errors.ConnectTimeoutError(), 'UND_ERR_CONNECT_TIMEOUT'],
      ['undici SocketError', new errors.SocketError('other side closed'), 'UND_ERR_SOCKET'],
      ['undici HeadersTimeoutError', new errors.HeadersTimeoutError(), 'UND_ERR_HEADERS_TIMEOUT'],
      ['a write after the peer closed', coded('EPIPE'), 'EPIPE'],
      ['fetch-style wrapper with a cause', new TypeError('fetch failed', { cause: coded('ECONNRESET') }), 'ECONNRESET'],
      ['cause two levels down', new Error('outer', { cause: new Error('mid', { cause: coded('EHOSTUNREACH') }) }), 'EHOSTUNREACH'],
      ['happy-eyeballs AggregateError', new AggregateError([new Error('no code'), coded('ECONNREFUSED')]), 'ECONNREFUSED'],
      ['kernel connect timeout', coded('ETIMEDOUT'), 'ETIMEDOUT'],
      ["Node's autoSelectFamily timeout", coded('ERR_SOCKET_CONNECTION_TIMEOUT'), 'UND_ERR_CONNECT_TIMEOUT'],
      ['AbortSignal.timeout()', new DOMException('timed out', 'TimeoutError'), 'TIMEOUT'],
      ['local ports exhausted', coded('EADDRNOTAVAIL'), 'EADDRNOTAVAIL'],
      ['outer undici code beats inner socket code', Object.assign(new errors.SocketError('closed'), { cause: coded('ECONNRESET') }), 'UND_ERR_SOCKET'],
      ['unknown code', coded('UND_ERR_DESTROYED'), 'OTHER'],
      ['not an object', 'boom', 'OTHER'],
      ['undefined', undefined, 'OTHER'],
    ];
    for (const [what, err, expected] of cases) {
      it(`${what} → ${expected}`, () => {
        expect(classifyError(err)).to.equal(expected);
      });
    }

    it('terminates on a cause cycle', () => {
      const a = new Error('a') as Error & { cause?: unknown };
      a.cause = a;
      expect(classifyError(a)).to.equal('OTHER');
    });

    it('encodes outcomes that round-trip through outcomeLabel and count as failures', () => {
      const o = errorOutcomeOf(coded('ECONNRESET'));
      expect(o).to.be.at.least(1000);
      expect(outcomeLabel(o)).to.equal('ECONNRESET');
      expect(isFailure(o)).to.equal(true);
    });
  });
});
