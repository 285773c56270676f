import { createPool, type HttpPool, type PoolOptions } from '../../harness/load/pool.ts';

/** A pool of one connection to `origin` with 2 s timeouts, unless overridden. */
export function testPool(origin: string, overrides: Partial<PoolOptions> = {}): HttpPool {
  return createPool({
    origin,
    path: '/',
    host: undefined,
    insecure: false,
    connection: 'keep-alive',
    connectTimeoutMs: 2000,
    headersTimeoutMs: 2000,
    bodyTimeoutMs: 2000,
    maxConnections: 1,
    captureHeader: 'x-pod-name',
    ...overrides,
  });
}

export interface Got {
  readonly status: number;
  readonly error: Error | undefined;
  /** Whether `done` ran before `get` returned. */
  readonly sync: boolean;
}

/** One GET through `pool`, resolved when its `done` runs. */
export function getOnce(pool: HttpPool, id = 0): Promise<Got> {
  return new Promise((resolve) => {
    let returned = false;
    pool.get(id, (_id, status, _header, error) => resolve({ status, error, sync: !returned }));
    returned = true;
  });
}
