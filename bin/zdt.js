#!/usr/bin/env node
// In a clone the TypeScript sources run as they are, through tsx (a devDependency), so `./zdt`
// and `npm run verify` never run a stale build. The published package ships no sources, only
// dist/ (compiled by `prepack`), which plain Node runs.
import { existsSync } from 'node:fs';

const source = new URL('../harness/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
