/**
 * zdt as a library: start a cluster, run a scenario, assert on its report from your own tests.
 *
 *   use(zdtChai);
 *   const cluster = await Cluster.start();
 *   const { report } = await runScenario(cluster, { name: 'drain', manifests: './k8s', maintenance: { kind: 'drain' } });
 *   expect(report).to.have.zeroFailedRequests();
 */
export { Cluster, DEFAULT_KIND_CONFIG, QUICK_KIND_CONFIG, POOL_LABEL, NEW_NODE_TAINT, type ClusterOptions } from './cluster/cluster.ts';
export { runScenario } from './scenario/run.ts';
export type { Entry, Exposure, Maintenance, ScenarioOptions, ScenarioResult, ScenarioStep } from './scenario/types.ts';
export { ENTRIES } from './scenario/types.ts';
export { MAX_SERVICES } from './deploy/service.ts';
export * from './drain/index.ts';
export { startLoad, type LoadHandle, type LoadOptions } from './load/loop.ts';
export { startLoadThread } from './load/thread.ts';
export type { RateSchedule, RateStage } from './load/schedule.ts';
export { describeLoadProfile, parseLoadProfile, readLoadProfile, type ArrivalRateScenario, type K6Threshold, type LoadProfile } from './load/profile.ts';
export { failedAt, isFailure, outcomeLabel, type RequestLog } from './load/types.ts';
export { mergeLogs } from './load/merge.ts';
export { DEFAULT_EXPECT_STATUS, parseExpectStatus, type ExpectedStatuses } from './load/status.ts';
export { Timeline, type TimelineEvent, type TimelineKind, type TimelineSink } from './observe/events.ts';
export { createClock, type Clock } from './clock.ts';
export { buildReport, type LoadStream, type Report, type ReportInput, type ServiceReport, type Verdict } from './verdict/report.ts';
export { formatReport, type FormatOptions } from './verdict/format.ts';
export { parseThresholds, type Threshold, type ThresholdResult } from './verdict/thresholds.ts';
export { parseMaxFailed, type AvailabilityBudget, type BudgetStatement } from './verdict/budget.ts';
export type { FaultFigures } from './verdict/fault.ts';
export { CAUSES, FIXES, failureCauses, requestCauses, tallyCauses, type Cause, type CauseCount } from './verdict/causes.ts';
export { KUBE_PROXY_MODES, unsupportedReason, type KubeProxyMode } from './cluster/proxy-mode.ts';
export { NODE_FAULTS, type NodeFault } from './cluster/docker.ts';
export { zdtChai } from './verdict/chai.ts';
export { writeReports, type WrittenReports } from './report/write.ts';
export * from './lint/index.ts';
export { loadManifests, parseManifests, type LoadedManifest } from './manifests/load.ts';
export { RENDER_KUBE_VERSION, type Renderer, type RenderOptions } from './manifests/render.ts';
export { podSources, workloadProblem, SERVING_KINDS, type PodSource, type ServingKind } from './manifests/workloads.ts';
export type { DisplacedPod } from './verdict/displaced.ts';
export { ErrorCode, isZdtError, ZdtError, type ErrorCodeValue } from './errors.ts';
