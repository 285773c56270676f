import { homedir } from 'node:os';
import { join } from 'node:path';

/** zdt's cache outside any clone (same rule as scripts/offline/lib.sh). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ZDT_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'zdt');
}

/** Where `npm run setup:offline` puts kind and kubectl. */
export function cachedBinary(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'bin', name);
}
