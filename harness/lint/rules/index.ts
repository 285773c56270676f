import type { Rule } from '../types.ts';
import { emptyDirBlocksDrain } from './emptydir-blocks-drain.ts';
import { pdbBlocksDrain } from './pdb-blocks-drain.ts';
import { pdbMissing } from './pdb-missing.ts';
import { pdbOverlap } from './pdb-overlap.ts';
import { pdbUnmatched } from './pdb-unmatched.ts';
import { podWithoutController } from './pod-without-controller.ts';
import { preStopDelayMissing } from './prestop-delay-missing.ts';
import { preStopDelayTooLong } from './prestop-delay-too-long.ts';
import { readinessProbeMissing } from './readiness-probe-missing.ts';
import { readinessProbeNotServingPort } from './readiness-probe-not-serving-port.ts';
import { replicasTooFew } from './replicas-too-few.ts';
import { rolloutTakesAllDown } from './rollout-takes-all-down.ts';
import { serviceUnmatched } from './service-unmatched.ts';

export const defaultRules: readonly Rule[] = [
  podWithoutController,
  replicasTooFew,
  rolloutTakesAllDown,
  readinessProbeMissing,
  readinessProbeNotServingPort,
  preStopDelayMissing,
  preStopDelayTooLong,
  pdbMissing,
  pdbBlocksDrain,
  pdbOverlap,
  pdbUnmatched,
  emptyDirBlocksDrain,
  serviceUnmatched,
];
