import { dockerImageExists } from './docker.ts';

/** Tags built by scripts/offline (keep in sync with scripts/offline/lib.sh). */
export const OFFLINE_NODE_IMAGE = 'zdt.local/kind-node:v1.34.4';
export const OFFLINE_NGINX_IMAGE = 'zdt.local/nginx:1.22';
/** The load balancer of `--entry load-balancer` (harness/entry/load-balancer.ts). */
export const OFFLINE_HAPROXY_IMAGE = 'zdt.local/haproxy:2.6';
/** The Ingress controller of `--entry ingress` (harness/entry/ingress.ts): Traefik built from its Go module. */
export const OFFLINE_INGRESS_IMAGE = 'zdt.local/traefik:v3.6.12';
/** The load pod of `--entry in-cluster` (harness/entry/in-cluster.ts): the Debian base with this host's Node binary. */
export const OFFLINE_LOAD_IMAGE = 'zdt.local/node:host';
/** The load pod's image on hosts with a registry: the current Node LTS; the program comes in a ConfigMap either way. */
export const STOCK_LOAD_IMAGE = 'node:24-slim';

/**
 * The node image for new clusters: $ZDT_NODE_IMAGE, else the offline-built image when this
 * host has it, else undefined so kind uses its stock kindest/node image (hosts with a registry).
 */
export async function defaultNodeImage(env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<string | undefined> {
  if (env.ZDT_NODE_IMAGE) return env.ZDT_NODE_IMAGE;
  return (await dockerImageExists(OFFLINE_NODE_IMAGE, signal)) ? OFFLINE_NODE_IMAGE : undefined;
}
