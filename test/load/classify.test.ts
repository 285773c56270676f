import { expect } from 'chai';
import { errors } from 'undici';
import { classifyError, errorOutcomeOf } from '../../harness/load/classify.ts';
import type { PoolOptions } from '../../harness/load/pool.ts';
import { DEFAULT_EXPECT_STATUS } from '../../harness/load/status.ts';
import { isFailure, outcomeLabel } from '../../harness/load/types.ts';
import { MISBEHAVIOURS, OUTCOMES, startMisbehavingServer, type MisbehavingServer } from './misbehaving.ts';
import { startServer, type TestServer } from './server.ts';
import { getOnce, testPool } from './test-pool.ts';

/** One GET through a fresh pool; resolves with its error (or undefined), then closes the pool. */
async function getError(origin: string, overrides: Partial<PoolOptions> = {}): Promise<Error | undefined> {
  const pool = testPool(origin, overrides);
  const { error } = await getOnce(pool);
  await pool.close();
  return error;
}

describe('load/classify', () => {
  describe('real errors from undici', () => {
    let server: MisbehavingServer | TestServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    // One GET per behaviour and mode; test/load/misbehaving.test.ts runs the loop against them at rate.
    for (const behaviour of MISBEHAVIOURS.filter((b) => b !== 'close-idle')) {
      for (const connection of ['keep-alive', 'new'] as const) {
        it(`${behaviour} (${connection}) is ${OUTCOMES[behaviour].join(' or ')}`, async () => {
          server = await startMisbehavingServer(behaviour);
          const err = await getError(new URL(server.url).origin, { connection, headersTimeoutMs: 100, bodyTimeoutMs: 100 });
          expect(classifyError(err), String(err)).to.be.oneOf(OUTCOMES[behaviour]);
        });
      }
    }

    it('a server closing (not resetting) the socket mid-body is UND_ERR_SOCKET (or ECONNRESET)', async () => {
      server = await startServer((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial', () => res.socket?.destroy());
      });
      const err = await getError(new URL(server.url).origin);
      expect(classifyError(err)).to.be.oneOf(['UND_ERR_SOCKET', 'ECONNRESET']);
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
      ['a body cut short on a connection: close request', coded('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'), 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'],
      ['an llhttp parse error', coded('HPE_INVALID_CONSTANT'), 'HTTP_PARSE'],
      ['a parse error without a code', new errors.HTTPParserError('Expected HTTP/'), 'HTTP_PARSE'],
      ['a self-signed certificate', coded('DEPTH_ZERO_SELF_SIGNED_CERT'), 'TLS'],
      ['a certificate chain not trusted', coded('SELF_SIGNED_CERT_IN_CHAIN'), 'TLS'],
      ['a missing intermediate', coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'TLS'],
      ['an expired certificate', coded('CERT_HAS_EXPIRED'), 'TLS'],
      ['a name the certificate does not cover', coded('ERR_TLS_CERT_ALTNAME_INVALID'), 'TLS'],
      ['plain HTTP on a TLS port', coded('ERR_SSL_WRONG_VERSION_NUMBER'), 'TLS'],
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
      expect(isFailure(o, DEFAULT_EXPECT_STATUS)).to.equal(true);
    });
  });
});
