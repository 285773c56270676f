import { createClock } from '../clock.ts';
import { startLoad, type LoadOptions } from './loop.ts';
import { failedAt, outcomeLabel } from './types.ts';

/** What one probe burst found. */
export interface ProbeResult {
  /** Every request succeeded (and there was at least one). */
  readonly ok: boolean;
  readonly sent: number;
  readonly failed: number;
  /** The outcomes and their counts, "ECONNREFUSED ×7, 200 ×3". */
  readonly answered: string;
  /** Every request got a client error retrying will not change (a wrong path or host, not a warm-up). */
  readonly definitive: boolean;
}

/** How long probes may get the same definitive answer before a start gives up on them, rather than after its whole ready timeout. */
export const DEFINITIVE_FOR_MS = 10_000;

/** A client error the app keeps giving is its answer to this request, not a warm-up: retrying will not change it. */
const DEFINITIVE = (status: number) => status >= 400 && status < 500 && ![408, 425, 429].includes(status);

/**
 * One short burst (20 req/s for 500 ms, each on a new connection) at `request.url`: whether the
 * Service answers yet. kube-proxy programs a Service a moment after its endpoints are ready, so
 * load starts only once a burst succeeds completely. Used on this machine (harness/scenario) and
 * by the load pod (pod-main.ts) alike.
 */
export async function probeOnce(request: Omit<LoadOptions, 'clock' | 'ratePerSecond' | 'durationMs' | 'connection'>): Promise<ProbeResult> {
  // A profile's schedule is the load's, not the probe's.
  const log = await startLoad({ ...request, schedule: undefined, clock: createClock(), ratePerSecond: 20, durationMs: 500, connection: 'new' }).done;
  let failed = 0;
  const outcomes = new Map<string, number>();
  for (let i = 0; i < log.count; i++) {
    if (failedAt(log, i)) failed++;
    const label = outcomeLabel(log.outcome[i]!);
    outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
  }
  return {
    ok: failed === 0 && log.count > 0,
    sent: log.count,
    failed,
    answered: [...outcomes].map(([label, n]) => `${label} ×${n}`).join(', '),
    definitive: log.count > 0 && [...log.outcome].every(DEFINITIVE),
  };
}
