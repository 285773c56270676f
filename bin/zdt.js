#!/usr/bin/env node
// The CLI is TypeScript run as-is: register tsx's loader, then hand over to main.ts.
import { register } from 'tsx/esm/api';

register();
await import('../harness/cli/main.ts');
