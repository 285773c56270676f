import { access, constants, stat } from 'node:fs/promises';
import { checkApplicable } from '../deploy/apply.ts';
import { selectPort } from '../deploy/expose.ts';
import { findServices } from '../deploy/service.ts';
import { ErrorCode, isZdtError, ZdtError } from '../errors.ts';
import type { Container } from '../kube/types.ts';
import { buildContext } from '../lint/context.ts';
import { loadManifests, type LoadedManifest } from '../manifests/load.ts';
import type { RenderOptions } from '../manifests/render.ts';

export interface VerifyInputs {
  readonly manifests: readonly LoadedManifest[];
  /** The Services the load goes to, each its own stream. */
  readonly services: readonly string[];
  /** Every container image of the manifests' workloads, so locally built images can be loaded into kind. */
  readonly images: readonly string[];
}

/**
 * Loads and checks what `zdt verify` needs before any cluster exists, so a typo costs
 * milliseconds instead of a cluster start: the manifests parse (a chart or kustomization
 * renders), each Service named (by default every one selecting a workload) exists and selects a
 * pod template in the same manifests (findServices, as runScenario does), and the port to load
 * exists on each.
 */
export async function loadVerifyInputs(dir: string, serviceNames: readonly string[] | undefined, port?: string, render?: RenderOptions): Promise<VerifyInputs> {
  const manifests = await loadManifests(dir, { render });
  // Cluster-scoped objects and namespace collisions fail here, not after a cluster start.
  checkApplicable(manifests);
  let services: ReturnType<typeof findServices>;
  try {
    services = findServices(manifests, serviceNames);
  } catch (err) {
    // A name no Service has (findServices then lists those found): say which flag gave it.
    if (serviceNames === undefined || !isZdtError(err, ErrorCode.Service) || !Array.isArray(err.details.found)) throw err;
    throw new ZdtError(err.code, `--service ${serviceNames.join(',')}: ${err.message}`, { cause: err, details: { ...err.details, option: '--service' } });
  }
  const names = services.map((s) => s.object.metadata?.name ?? '');
  // A port a Service lacks fails here rather than after a cluster start.
  for (const s of services) selectPort(s.object, port);
  const ctx = buildContext(manifests);
  const images = new Set<string>();
  for (const source of [...ctx.workloads, ...services.flatMap((s) => ctx.podSourcesForService(s))]) {
    const init = (source.spec?.initContainers ?? []) as Container[];
    for (const c of [...init, ...(source.spec?.containers ?? [])]) if (c.image) images.add(c.image);
  }
  return { manifests, services: names, images: [...images] };
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
