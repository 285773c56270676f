import { expect } from 'chai';
import { classifyError } from '../../harness/load/classify.ts';
import { closedPort, startServer, type TestServer } from './server.ts';
import { CONNECTION_MODES, type ConnectionMode } from '../../harness/load/pool.ts';
import { getOnce, testPool } from './test-pool.ts';

describe('load/pool', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** `count` GETs over one connection, each started from inside the previous one's `done`, as the loop starts a request that is already due. */
  async function chained(origin: string, count: number, connection: ConnectionMode): Promise<string[]> {
    const pool = testPool(origin, { connection });
    const outcomes = await new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      const next = (id: number): void =>
        pool.get(id, (_id, status, _header, error) => {
          seen.push(error ? classifyError(error) : String(status));
          if (seen.length < count) next(id + 1);
          else resolve(seen);
        });
      next(0);
    });
    await pool.close();
    return outcomes;
  }

  // undici asserts after a failed connect that the Client's queue is empty; a GET dispatched into
  // it from the failed request's own callback used to make that assertion kill the process.
  for (const connection of CONNECTION_MODES) {
    it(`a GET started from done reuses the one connection safely, also after a refused connect (${connection})`, async () => {
      expect(await chained(`http://127.0.0.1:${await closedPort()}`, 50, connection)).to.deep.equal(Array(50).fill('ECONNREFUSED'));
      server = await startServer((_req, res) => res.end('ok'));
      expect(await chained(new URL(server.url).origin, 50, connection)).to.deep.equal(Array(50).fill('200'));
      expect(server.requests).to.equal(50);
    });
  }

  it('reports every outcome asynchronously, even a GET undici refuses at once', async () => {
    server = await startServer((_req, res) => res.end('ok'));
    const pool = testPool(new URL(server.url).origin);
    expect(await getOnce(pool, 0)).to.include({ status: 200, sync: false });
    // A closed (by now destroyed) Client refuses the dispatch synchronously; the pool must still answer later, once.
    await pool.close();
    const refused = await getOnce(pool, 1);
    expect(refused).to.include({ status: 0, sync: false });
    expect((refused.error as { code?: string }).code).to.equal('UND_ERR_DESTROYED');
    // ...and forget that Client: the next GET gets a new connection.
    expect(await getOnce(pool, 2)).to.include({ status: 200, sync: false });
    await pool.close();
    expect(server.connections).to.equal(2);
  });
});
