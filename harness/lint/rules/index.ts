import type { Rule } from '../types.ts';
import { pdbBlocksDrain } from './pdb-blocks-drain.ts';
import { pdbMissing } from './pdb-missing.ts';
import { pdbOverlap } from './pdb-overlap.ts';
import { pdbUnmatched } from './pdb-unmatched.ts';
import { preStopDelayMissing } from './prestop-delay-missing.ts';
import { preStopDelayTooLong } from './prestop-delay-too-long.ts';
import { readinessProbeMissing } from './readiness-probe-missing.ts';
import { replicasTooFew } from './replicas-too-few.ts';
import { serviceUnmatched } from './service-unmatched.ts';

export const defaultRules: readonly Rule[] = [
  replicasTooFew,
  readinessProbeMissing,
  preStopDelayMissing,
  preStopDelayTooLong,
  pdbMissing,
  pdbBlocksDrain,
  pdbOverlap,
  pdbUnmatched,
  serviceUnmatched,
];
