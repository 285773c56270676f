import { fileURLToPath } from 'node:url';
import { Argument } from 'commander';

/** The bundled example (nginx Deployment + Service + PDB), resolved from the package so any cwd works. */
export const EXAMPLE_MANIFESTS = fileURLToPath(new URL('../../suites/manifests/production', import.meta.url));

/** The `[dir]` argument of verify and lint. */
export function exampleArgument(): Argument {
  return new Argument('[dir]', 'manifest directory or file, Helm chart directory (Chart.yaml) or kustomization directory').default(EXAMPLE_MANIFESTS, 'the bundled example, suites/manifests/production');
}
