/**
 * Errors with stable `code` fields. Match on `code` (see isZdtError), never on instanceof:
 * a user's test may load a second copy of zdt.
 */
export const ErrorCode = {
  InvalidOption: 'ZDT_INVALID_OPTION',
  Aborted: 'ZDT_ABORTED',
  Timeout: 'ZDT_TIMEOUT',
  KubeApi: 'ZDT_KUBE_API',
  NotKindCluster: 'ZDT_NOT_KIND_CLUSTER',
  Kind: 'ZDT_KIND',
  ClusterInUse: 'ZDT_CLUSTER_IN_USE',
  ClusterNotReady: 'ZDT_CLUSTER_NOT_READY',
  Manifest: 'ZDT_MANIFEST',
  AppNotReady: 'ZDT_APP_NOT_READY',
  Service: 'ZDT_SERVICE',
  DrainBlocked: 'ZDT_DRAIN_BLOCKED',
  DrainFiltered: 'ZDT_DRAIN_FILTERED',
  EvictionMultiplePdbs: 'ZDT_EVICTION_MULTIPLE_PDBS',
  NamespaceTerminating: 'ZDT_NAMESPACE_TERMINATING',
  Load: 'ZDT_LOAD',
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export class ZdtError extends Error {
  readonly code: ErrorCodeValue;
  /** Structured facts a report or CLI can print (HTTP status, object names, ...). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCodeValue, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ZdtError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

/** True for any zdt error (optionally of one code), whichever copy of zdt created it. */
export function isZdtError(err: unknown, code?: ErrorCodeValue): err is ZdtError {
  if (typeof err !== 'object' || err === null) return false;
  const c = (err as { code?: unknown }).code;
  return typeof c === 'string' && c.startsWith('ZDT_') && (code === undefined || c === code);
}
