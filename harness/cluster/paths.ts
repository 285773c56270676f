import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** zdt's cache outside any clone (same rule as scripts/offline/lib.sh). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ZDT_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'zdt');
}

/** Where `npm run setup:offline` puts kind and kubectl. */
export function cachedBinary(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'bin', name);
}

/**
 * The command that sets a host up (Docker, kind, images), as a user can type it from where they
 * are: in a clone and in node_modules/zdt alike (dist/ keeps harness/'s depth).
 */
export function setupCommand(script: 'setup.sh' | 'host-setup.sh' = 'setup.sh'): string {
  const path = fileURLToPath(new URL(`../../scripts/offline/${script}`, import.meta.url));
  const shown = relative(process.cwd(), path);
  return `bash ${shown.startsWith('..') ? path : shown}`;
}
