import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { ErrorCode, ZdtError } from '../errors.ts';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = fileURLToPath(new URL(FROM_SOURCE ? './pod-main.ts' : './pod-main.js', import.meta.url));
/** The oldest Node the bundle runs on: zdt's own engines floor. */
const TARGET = 'node20';

let cached: Promise<string> | undefined;

/**
 * The load pod's program (pod-main.ts with undici and the rest of the load code) as one
 * CommonJS file, about 550 KB minified: small enough for a ConfigMap (1 MiB), so any stock Node
 * image can run it. Built once per process with esbuild (the bundler tsx runs on).
 * Rejects with ZDT_LOAD when esbuild fails.
 */
export function loadPodBundle(): Promise<string> {
  cached ??= build({ entryPoints: [ENTRY], bundle: true, platform: 'node', format: 'cjs', target: TARGET, minify: true, write: false, logLevel: 'silent' }).then(
    (out) => out.outputFiles[0]!.text,
    (err: unknown) => {
      cached = undefined;
      throw new ZdtError(ErrorCode.Load, `could not bundle the load pod's program (${ENTRY}): ${(err as Error).message}`, { cause: err });
    },
  );
  return cached;
}
