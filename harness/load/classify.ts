import { errorOutcome, OUTCOME_ERRORS, type OutcomeError } from './types.ts';

const KNOWN: ReadonlySet<string> = new Set(OUTCOME_ERRORS);

/** Codes that mean the same thing as an outcome under another name. */
const ALIASES: Readonly<Record<string, OutcomeError>> = {
  // Node's own connect timeout when it races IPv4 and IPv6 (autoSelectFamily).
  ERR_SOCKET_CONNECTION_TIMEOUT: 'UND_ERR_CONNECT_TIMEOUT',
};

/**
 * Families of codes with one outcome: llhttp's HPE_* parse errors; OpenSSL's and Node's TLS
 * errors, including the certificate verification codes Node's tls documentation lists
 * (DEPTH_ZERO_SELF_SIGNED_CERT, UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, ...).
 */
const FAMILIES: readonly (readonly [RegExp, OutcomeError])[] = [
  [/^HPE_/, 'HTTP_PARSE'],
  [/^ERR_(SSL|TLS)_|CERT|CRL|^UNABLE_TO_|^(INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED|HOSTNAME_MISMATCH)$/, 'TLS'],
];

/** How deep to follow `cause` and AggregateError `errors`: fetch and happy-eyeballs wrap one or two levels. */
const MAX_DEPTH = 4;

/** The stable outcome name for a failed request's error; 'OTHER' when nothing is recognised. */
export function classifyError(err: unknown): OutcomeError {
  return find(err, 0) ?? 'OTHER';
}

/** classifyError, encoded for RequestLog.outcome. */
export function errorOutcomeOf(err: unknown): number {
  return errorOutcome(classifyError(err));
}

function find(err: unknown, depth: number): OutcomeError | undefined {
  if (typeof err !== 'object' || err === null || depth > MAX_DEPTH) return undefined;
  const { code, cause, errors, name } = err as { code?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
  // The outermost recognised code wins: undici's UND_ERR_* says more than the socket error under it.
  if (typeof code === 'string') {
    if (KNOWN.has(code)) return code as OutcomeError;
    const alias = ALIASES[code] ?? FAMILIES.find(([pattern]) => pattern.test(code))?.[1];
    if (alias) return alias;
  }
  const inner = find(cause, depth + 1);
  if (inner) return inner;
  if (Array.isArray(errors)) {
    for (const e of errors) {
      const found = find(e, depth + 1);
      if (found) return found;
    }
  }
  // AbortSignal.timeout() and similar deadline aborts.
  if (name === 'TimeoutError') return 'TIMEOUT';
  // undici leaves some parse errors without a code.
  if (name === 'HTTPParserError') return 'HTTP_PARSE';
  return undefined;
}
