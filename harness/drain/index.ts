export { cordon, uncordon, removeTaint } from './cordon.ts';
export { drainNode, drainNodes, type DrainResult, type NodeDrainOutcome } from './drain.ts';
export { evictPod, waitForPodGone, type EvictionOutcome, type Refusal } from './evict.ts';
export * from './filters.ts';
export { ApiOutage } from './outage.ts';
export { resolveDrainOptions, resolveReplaceOptions, DEFAULT_NEW_NODE_TAINT_KEY, type DrainOptions, type ReplaceOptions, type ResolvedDrainOptions } from './options.ts';
export { pdbsForPod } from './pdb.ts';
export { replaceNodes, type ReplaceResult } from './replace.ts';
