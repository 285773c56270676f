import { access, constants, stat } from 'node:fs/promises';
import { checkApplicable } from '../deploy/apply.ts';
import { selectPort } from '../deploy/expose.ts';
import { findService } from '../deploy/service.ts';
import { ErrorCode, isZdtError, ZdtError } from '../errors.ts';
import type { Container } from '../kube/types.ts';
import { buildContext } from '../lint/context.ts';
import { loadManifests, type LoadedManifest } from '../manifests/load.ts';

export interface VerifyInputs {
  readonly manifests: readonly LoadedManifest[];
  /** The Service the load goes through. */
  readonly service: string;
  /** Every container image of the manifests' workloads, so locally built images can be loaded into kind. */
  readonly images: readonly string[];
}

/**
 * Loads and checks what `zdt verify` needs before any cluster exists, so a typo costs
 * milliseconds instead of a cluster start: the manifests parse, and the Service exists (or is
 * the only one) and selects a pod template in the same manifests (findService, as runScenario does),
 * and the port to load exists.
 */
export async function loadVerifyInputs(dir: string, serviceName: string | undefined, port?: string): Promise<VerifyInputs> {
  const manifests = await loadManifests(dir);
  // Cluster-scoped objects and namespace collisions fail here, not after a cluster start.
  checkApplicable(manifests);
  let service: ReturnType<typeof findService>;
  try {
    service = findService(manifests, serviceName);
  } catch (err) {
    // A name no Service has (findService then lists those found): say which flag gave it.
    if (serviceName === undefined || !isZdtError(err, ErrorCode.Service) || !Array.isArray(err.details.found)) throw err;
    throw new ZdtError(err.code, `--service ${serviceName}: ${err.message}`, { cause: err, details: { ...err.details, option: '--service' } });
  }
  // A multi-port Service without --port, or a port it lacks, fails here rather than after a cluster start.
  selectPort(service.object, port);
  const ctx = buildContext(manifests);
  const images = new Set<string>();
  for (const source of [...ctx.workloads, ...ctx.podSourcesForService(service)]) {
    const init = (source.spec?.initContainers ?? []) as Container[];
    for (const c of [...init, ...(source.spec?.containers ?? [])]) if (c.image) images.add(c.image);
  }
  return { manifests, service: service.object.metadata?.name ?? '', images: [...images] };
}

/** Fails early, naming the option, when a file an option points at is missing, not a regular file (a directory), or cannot be read. */
export async function requireReadableFile(option: string, path: string | undefined): Promise<void> {
  if (path === undefined) return;
  const refuse = (why: string, cause?: unknown) => new ZdtError(ErrorCode.InvalidOption, `${option} ${path}: ${why}`, { cause, details: { option, value: path } });
  try {
    if (!(await stat(path)).isFile()) throw refuse('not a file');
    await access(path, constants.R_OK);
  } catch (err) {
    if (isZdtError(err)) throw err;
    throw refuse((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message, err);
  }
}
