import { mkdir } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { OFFLINE_INGRESS_IMAGE, OFFLINE_LOAD_IMAGE, OFFLINE_NGINX_IMAGE, STOCK_LOAD_IMAGE } from '../cluster/images.ts';
import { requireImage } from '../cluster/docker.ts';
import { CLI_DRAIN_FLAGS } from '../drain/options.ts';
import { ErrorCode, isZdtError, ZdtError } from '../errors.ts';
import { formatText, summarize } from '../lint/format.ts';
import { lintManifests } from '../lint/lint.ts';
import type { Finding } from '../lint/types.ts';
import type { TimelineEvent } from '../observe/events.ts';
import { writeReports, type WrittenReports } from '../report/write.ts';
import { KUBE_PROXY_MODES, unsupportedReason, type KubeProxyMode } from '../cluster/proxy-mode.ts';
import { checkUrl, DEFAULT_FAULT_MS, resolveScenarioOptions } from '../scenario/options.ts';
import { parseMaxFailed, type AvailabilityBudget } from '../verdict/budget.ts';
import { ENTRIES, type Entry, type Maintenance, type ScenarioOptions } from '../scenario/types.ts';
import { requireLoadBalancerImage } from '../entry/load-balancer.ts';
import { ingressEntryOf } from '../entry/ingress.ts';
import { formatReport } from '../verdict/format.ts';
import type { Report } from '../verdict/report.ts';
import { abortError } from '../wait.ts';
import { addChartOptions, renderOptionsOf, type ChartFlags } from './chart.ts';
import { addLoadOptions, checkTargetFlags, loadProfileOf, milliseconds, positive, seconds, TIMER_CAP, type LoadFlags } from './load-flags.ts';
import { describeLoadProfile } from '../load/profile.ts';
import { exampleArgument } from './example.ts';
import { combineExitCodes, ExitCode, exitCodeForError, exitCodeForReport, reportError, reportReason, type ExitCodeValue } from './exit.ts';
import { loadVerifyInputs, requireReadableFile } from './inputs.ts';
import type { CommandContext, Io } from './io.ts';
import type { Leftovers } from './leftovers.ts';
import { createProgress, progressStyle } from './progress.ts';
import { clusterDeps, type VerifyDeps } from './session.ts';
import type { LoadedManifest } from '../manifests/load.ts';
import { formatMutants, judgeMutant, notApplicableResult, runOfError, runOfReport, type MutantResult, type MutantRun } from '../mutants/judge.ts';
import { deriveMutants, MUTANT_NAMES } from '../mutants/mutants.ts';

/** CLI scenario names of planned maintenance and what each performs, in the order `all` runs them. */
export const SCENARIOS = {
  'parallel-drain': { kind: 'drain', bringInNewNodes: true },
  'node-replacement': { kind: 'replace' },
  rollout: { kind: 'rollout' },
} as const satisfies Record<string, Maintenance>;
/**
 * Involuntary disruption, run only when named: a lost node always costs requests, so these are
 * judged against the budget a team states (--max-failed, --max-outage), never part of `all`.
 */
export const FAULT_SCENARIOS = {
  'node-crash': { kind: 'node-fault', fault: 'kill' },
  'node-freeze': { kind: 'node-fault', fault: 'pause' },
  'node-partition': { kind: 'node-fault', fault: 'disconnect' },
} as const satisfies Record<string, Maintenance>;
export type ScenarioName = keyof typeof SCENARIOS | keyof typeof FAULT_SCENARIOS;
const maintenanceOf = (name: ScenarioName, flags: VerifyFlags): Maintenance =>
  name in FAULT_SCENARIOS ? { ...FAULT_SCENARIOS[name as keyof typeof FAULT_SCENARIOS], forMs: flags.disruptionSeconds * 1000 } : SCENARIOS[name as keyof typeof SCENARIOS];

export interface VerifyFlags extends ChartFlags, LoadFlags {
  scenario: ScenarioName | 'all';
  warmup?: number;
  settle?: number;
  drainTimeout: number;
  disruptionSeconds: number;
  maxFailed?: AvailabilityBudget['maxFailed'];
  maxOutage?: number;
  force?: boolean;
  deleteEmptydirData?: boolean;
  kindConfig?: string;
  nodeImage?: string;
  kubeProxyMode?: KubeProxyMode | 'all';
  entry?: Entry;
  loadNode?: string;
  loadImage?: string;
  kubeconfig?: string;
  context?: string;
  allowDisruption?: boolean;
  reuseCluster?: boolean;
  keepCluster?: boolean;
  reportDir: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  lint: boolean;
  mutants?: boolean;
}

/** `zdt verify [dir]`: the real test. Exit 0 pass, 1 requests failed or maintenance blocked, 2 could not verify, 130 interrupted. */
export function registerVerify(program: Command, { io, exit }: CommandContext, deps: VerifyDeps = clusterDeps): void {
  const command = program
    .command('verify')
    .description('deploy the manifests to a kind cluster, drain its nodes under load, and fail unless zero requests failed')
    .addArgument(exampleArgument());
  addLoadOptions(command)
    .addOption(
      new Option('--scenario <name>', `scenario to run; all runs ${Object.keys(SCENARIOS).join(', ')}; the node faults (${Object.keys(FAULT_SCENARIOS).join(', ')}) run only when named`)
        .choices([...Object.keys(SCENARIOS), ...Object.keys(FAULT_SCENARIOS), 'all'])
        .default('all'),
    )
    .option('--warmup <s>', 'seconds of load before the maintenance (default 3)', seconds('--warmup'))
    .option('--settle <s>', 'seconds of load once the app is available again after it (default 5)', seconds('--settle'))
    .option('--drain-timeout <s>', "seconds one node's drain may take", positive('--drain-timeout', TIMER_CAP), 120)
    .option('--disruption-seconds <s>', 'how long a node fault keeps its node away: crashed, frozen or cut off', positive('--disruption-seconds', TIMER_CAP), DEFAULT_FAULT_MS / 1000)
    .option('--max-failed <n|percent>', 'failed requests a run may show and still pass, e.g. 20 or 0.5% of those sent (default 0)', maxFailed)
    .option('--max-outage <ms>', 'longest stretch without a successful response a run may show and still pass (default: not judged)', milliseconds('--max-outage'))
    .option('--force', 'like kubectl drain --force: also evict pods no controller manages (they are not recreated)')
    .option('--delete-emptydir-data', 'like kubectl drain --delete-emptydir-data: also evict pods with emptyDir volumes (their data is lost)')
    .addOption(new Option('--kind-config <file>', 'kind config of the cluster to create (default: the bundled kind-config/default.yaml)').conflicts('kubeconfig'))
    .addOption(
      new Option('--kube-proxy-mode <mode>', `kube-proxy's mode (kind's networking.kubeProxyMode) on a cluster named <name>-<mode>; all runs every scenario once per mode, each on its own cluster, skipping (and saying why) a mode this host's kernel cannot run`)
        .choices([...KUBE_PROXY_MODES, 'all'])
        .conflicts('kubeconfig'),
    )
    .addOption(
      new Option(
        '--entry <where>',
        "where the load enters: nodeport, each Service's NodePort on the control-plane node (default on kind); load-balancer, a load balancer zdt starts in front of every worker's NodePort, with a cloud's health checks (kube-proxy's /healthz, or the healthCheckNodePort under externalTrafficPolicy Local); in-cluster, a pod on a node no scenario drains, reaching each Service by name (default with --kubeconfig); ingress, through an Ingress controller zdt installs (Traefik), by the manifests' Ingress rules (kind clusters, http)",
      )
        .choices(ENTRIES)
        .conflicts('url'),
    )
    .option('--load-node <node|selector>', 'with --entry in-cluster: the node the load pod runs on, by name or label selector (zdt.dev/load=true); default: a control-plane node, else one the app does not use')
    .option('--load-image <image>', `with --entry in-cluster: the load pod's image, any with Node.js >= 20 the nodes can pull (default: ${OFFLINE_LOAD_IMAGE} on a kind cluster of this host, else ${STOCK_LOAD_IMAGE})`)
    .addOption(new Option('--node-image <image>', 'kind node image (default: $ZDT_NODE_IMAGE, the offline image, or kind\'s)').conflicts('kubeconfig'))
    .option('--kubeconfig <file>', 'attach to the cluster of this kubeconfig instead of creating a kind cluster')
    .option('--context <name>', 'context within --kubeconfig (default: its current context)')
    .option('--allow-disruption', 'allow drains on an attached cluster that is not a kind cluster')
    .addOption(new Option('--reuse-cluster', 'reuse a running kind cluster of the same name, and keep it (env ZDT_REUSE_CLUSTER=1)').conflicts('kubeconfig'))
    .addOption(new Option('--keep-cluster', 'keep the kind cluster this run creates (env ZDT_KEEP_CLUSTER=1)').conflicts('kubeconfig'))
    .option('--report-dir <dir>', 'where report.json, junit.xml and report.html go', './zdt-report')
    .option('--json', 'print only JSON on stdout: reports, lint findings, exit code')
    .option('-q, --quiet', 'print only the final verdict line and errors')
    .option('-v, --verbose', 'also print timeline events (cordons, evictions and 429s, pods)')
    .option('--no-lint', 'skip the static checks before the run')
    .option('--mutants', `once the manifests pass, also run known-bad twins of them (${MUTANT_NAMES.join(', ')}) under the same scenarios and say which were caught`);
  addChartOptions(command).action(async (dir: string, flags: VerifyFlags) => exit(await verify(dir, flags, io, deps)));
}

interface Outcome {
  findings: Finding[];
  reports: Report[];
  written?: WrittenReports;
  /** The scenario under way when `error` was thrown. */
  running?: string;
  error?: unknown;
  linted?: boolean;
  /** Scenarios not run, by label, and why (a kube-proxy mode this host cannot run). */
  skipped: Map<string, string>;
  /** With --mutants: each twin's result; null when they were not run because the manifests did not pass. */
  mutants?: MutantResult[] | null;
}

/** Runs `zdt verify` and resolves to its exit code; prints results on stdout, progress and errors on stderr. */
export async function verify(dir: string, flags: VerifyFlags, io: Io, deps: VerifyDeps): Promise<ExitCodeValue> {
  const outcome: Outcome = { findings: [], reports: [], skipped: new Map() };
  const scenarios = flags.scenario === 'all' ? (Object.keys(SCENARIOS) as ScenarioName[]) : [flags.scenario];
  const modes = flags.kubeProxyMode === 'all' ? KUBE_PROXY_MODES : [flags.kubeProxyMode];
  // Each mode is its own cluster, and its scenarios are named after it: node-replacement-nftables.
  const labels = modes.flatMap((mode) => scenarios.map((name) => labelOf(name, mode)));
  try {
    for (const mode of modes) {
      const unsupported = mode && unsupportedReason(mode);
      if (unsupported) {
        for (const name of scenarios) outcome.skipped.set(labelOf(name, mode), `kube-proxy mode ${mode}: ${unsupported}`);
        io.stderr.write(`zdt: skipping kube-proxy mode ${mode}: ${unsupported}\n`);
        continue;
      }
      await run(dir, flags, scenarios, io, deps, outcome, mode);
    }
  } catch (err) {
    outcome.error = err;
  }
  if (outcome.reports.length > 0) {
    try {
      outcome.written = await writeReports(flags.reportDir, outcome.reports);
    } catch (err) {
      const failure = reportDirError(flags.reportDir, err);
      if (outcome.error === undefined) outcome.error = failure;
      else io.stderr.write(`zdt: ${failure.message}\n`);
    }
  }
  return finish(outcome, labels, flags, io);
}

/** A scenario's name in a run per kube-proxy mode: "node-replacement-nftables". */
const labelOf = (name: ScenarioName, mode: KubeProxyMode | undefined) => (mode ? `${name}-${mode}` : name);

async function run(dir: string, flags: VerifyFlags, scenarios: readonly ScenarioName[], io: Io, deps: VerifyDeps, outcome: Outcome, mode?: KubeProxyMode): Promise<void> {
  for (const [flag, needs] of [['--context', flags.context], ['--allow-disruption', flags.allowDisruption]] as const) {
    if (needs !== undefined && flags.kubeconfig === undefined) {
      throw new ZdtError(ErrorCode.InvalidOption, `${flag} applies to an attached cluster: pass --kubeconfig <file> too`, { details: { option: flag } });
    }
  }
  await requireReadableFile('--kubeconfig', flags.kubeconfig);
  await requireReadableFile('--kind-config', flags.kindConfig);
  checkTargetFlags(flags);
  const inputs = await loadVerifyInputs(dir, flags.service, flags.port, renderOptionsOf(flags, io.signal));
  if (flags.url !== undefined) checkUrl(flags.url, inputs.services, '--url');
  const loadProfile = await loadProfileOf(flags);
  // zdt cannot know an attached cluster's NodePorts reach this machine: its load comes from a pod unless --url or --entry says otherwise.
  const entry: Entry = flags.entry ?? (flags.kubeconfig !== undefined && flags.url === undefined ? 'in-cluster' : 'nodeport');
  // Before a cluster is made for nothing.
  if (entry === 'ingress' && flags.url === undefined) ingressEntryOf(inputs.manifests, inputs.services);
  for (const [flag, value] of [['--load-node', flags.loadNode], ['--load-image', flags.loadImage]] as const) {
    if (value !== undefined && entry !== 'in-cluster') {
      throw new ZdtError(ErrorCode.InvalidOption, `${flag} applies to the load pod of --entry in-cluster, and this run's load enters through ${entry === 'nodeport' && flags.url !== undefined ? '--url' : `--entry ${entry}`}: drop it, or add --entry in-cluster`, { details: { option: flag, value } });
    }
  }
  const options = scenarios.map((name): ScenarioOptions => ({
    name: labelOf(name, mode),
    manifests: inputs.manifests,
    services: inputs.services,
    port: flags.port,
    path: flags.path,
    host: flags.host,
    scheme: flags.scheme,
    insecure: flags.insecure === true,
    expectStatus: flags.expectStatus,
    url: flags.url,
    entry,
    loadNode: flags.loadNode,
    loadImage: flags.loadImage,
    maintenance: maintenanceOf(name, flags),
    budget: { maxFailed: flags.maxFailed, maxOutageMs: flags.maxOutage },
    rate: loadProfile ? undefined : flags.rate,
    loadProfile,
    connection: flags.connection,
    warmupMs: flags.warmup === undefined ? undefined : flags.warmup * 1000,
    settleMs: flags.settle === undefined ? undefined : flags.settle * 1000,
    drain: { timeoutMs: flags.drainTimeout * 1000, force: flags.force === true, deleteEmptyDirData: flags.deleteEmptydirData === true, optionNames: CLI_DRAIN_FLAGS },
    signal: io.signal,
  }));
  // The scenario's own checks, before a cluster is started rather than after.
  options.forEach(resolveScenarioOptions);

  const progress = createProgress(progressStyle(io, flags.quiet === true), io.stderr);
  // The run's length is the maintenance's, so how a profile's schedule ends is worth a line before it starts.
  if (loadProfile) await progress.step('load profile', async (log) => log(describeLoadProfile(loadProfile)));
  // Once per run, not per kube-proxy mode: the manifests are the same.
  if (flags.lint && !outcome.linted) {
    outcome.linted = true;
    outcome.findings = await progress.step('lint', async (log) => {
      const findings = lintManifests(inputs.manifests);
      const { errors, warnings } = summarize(findings);
      log(`${errors} errors, ${warnings} warnings`);
      return findings;
    });
    // Findings inform; the run decides the exit code.
    if (!flags.json && !flags.quiet) io.stdout.write(formatText(outcome.findings));
  }

  // A report directory that cannot be created should cost nothing, not a whole run.
  await mkdir(flags.reportDir, { recursive: true }).catch((err: unknown) => {
    throw reportDirError(flags.reportDir, err);
  });
  if (io.signal.aborted) throw abortError(io.signal);
  // Before a cluster is made for nothing.
  if (entry === 'load-balancer') await requireLoadBalancerImage(io.signal);
  if (entry === 'ingress') await requireImage(OFFLINE_INGRESS_IMAGE, io.signal);
  const session = await progress.step('cluster', (log) =>
    deps.startCluster({
      kubeconfig: flags.kubeconfig,
      context: flags.context,
      allowDisruption: flags.allowDisruption,
      kindConfig: flags.kindConfig,
      nodeImage: flags.nodeImage,
      kubeProxyMode: mode,
      // Unset rather than false, so ZDT_REUSE_CLUSTER / ZDT_KEEP_CLUSTER still apply.
      reuse: flags.reuseCluster || undefined,
      keep: flags.keepCluster || undefined,
      loadImages: [OFFLINE_NGINX_IMAGE, ...(entry === 'in-cluster' ? [OFFLINE_LOAD_IMAGE] : []), ...(entry === 'ingress' ? [OFFLINE_INGRESS_IMAGE] : []), ...inputs.images],
      signal: io.signal,
      onProgress: log,
    }),
  );
  const left = io.leftovers;
  const clusterKey = `kind cluster ${session.name}`;
  if (session.deletesCluster) left?.add(clusterKey, `kind delete cluster --name ${session.name}`);
  const runOne = async (scenario: ScenarioOptions, label: string): Promise<Report> => {
    outcome.running = label;
    const result = await progress.step(label, (log) =>
      session
        .runScenario({
          ...scenario,
          onProgress: (step, message) => log(`${step}: ${message}`),
          onNamespace: (name, present) => (present ? left?.add(`namespace/${name}`, `kubectl delete namespace ${name}`) : left?.delete(`namespace/${name}`)),
          onContainer: (name, undo, present) => (present ? left?.add(`container/${name}`, undo) : left?.delete(`container/${name}`)),
          onNodeFault: (node, undo, present) => (present ? left?.add(`node/${node} fault`, undo) : left?.delete(`node/${node} fault`)),
          onEvent: (e) => {
            trackNode(left, e);
            if (flags.verbose) log(formatEvent(e));
          },
        })
        // The scenario put its nodes back, whatever happened.
        .finally(() => left?.deletePrefix('node/')),
    );
    outcome.running = undefined;
    return result.report;
  };
  try {
    for (const scenario of options) outcome.reports.push(await runOne(scenario, scenario.name));
    // A red run needs no proof that it can go red; a green one is only as good as the twins it catches.
    if (flags.mutants) outcome.mutants = outcome.reports.every((r) => r.passed) ? await runMutants(inputs.manifests, options, runOne) : null;
  } finally {
    // No signal: cleanup must run after an interrupt too.
    await progress.step('cleanup', () => session.delete()).then(
      () => left?.delete(clusterKey),
      (err: unknown) => {
        io.stderr.write(`zdt: warning: could not clean up the cluster: ${(err as Error).message}\n`);
      },
    );
  }
}

/** Each applicable twin under every scenario of the run, in MUTANT_NAMES order. */
async function runMutants(
  manifests: readonly LoadedManifest[],
  options: readonly ScenarioOptions[],
  runOne: (scenario: ScenarioOptions, label: string) => Promise<Report>,
): Promise<MutantResult[]> {
  const { mutants, notApplicable } = deriveMutants(manifests);
  const results = new Map<string, MutantResult>(notApplicable.map((n) => [n.name, notApplicableResult(n)]));
  for (const mutant of mutants) {
    const runs: MutantRun[] = [];
    for (const scenario of options) {
      try {
        runs.push(runOfReport(await runOne({ ...scenario, manifests: mutant.manifests }, `mutant ${mutant.name}: ${scenario.name}`)));
      } catch (err) {
        // A twin's own failure (a drain it blocks, say) is its result; an interrupt ends the run.
        if (isZdtError(err, ErrorCode.Aborted)) throw err;
        runs.push(runOfError(scenario.name, err, exitCodeForError(err) === ExitCode.Fail));
      }
    }
    results.set(mutant.name, judgeMutant(mutant, runs));
  }
  return MUTANT_NAMES.map((name) => results.get(name)!);
}

const maxFailed = (value: string) => {
  try {
    return parseMaxFailed(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

const reportDirError = (dir: string, err: unknown) =>
  new ZdtError(ErrorCode.InvalidOption, `--report-dir ${dir}: cannot write reports: ${(err as Error).message}`, { cause: err, details: { option: 'report-dir', value: dir } });

/** Node changes a run undoes at its end: a cordon, and the new pool's taint it removed. */
function trackNode(left: Leftovers | undefined, e: TimelineEvent): void {
  const node = e.subject.replace(/^node\//, '');
  if (e.kind === 'cordon') left?.add(e.subject, `kubectl uncordon ${node}`);
  else if (e.kind === 'uncordon') left?.delete(e.subject);
  else if (e.kind === 'taint-removed') left?.add(`${e.subject} taint`, `kubectl taint nodes ${node} ${e.detail ?? 'zdt.dev/new-node=true:NoSchedule'}`);
}

const formatEvent = (e: TimelineEvent) => `event ${e.kind} ${e.subject}${e.detail ? ` ${e.detail}` : ''}`;

const LABELS: Record<ExitCodeValue, string> = { 0: 'PASS', 1: 'FAIL', 2: 'COULD NOT VERIFY', 130: 'INTERRUPTED' };

function finish(outcome: Outcome, labels: readonly string[], flags: VerifyFlags, io: Io): ExitCodeValue {
  const { reports, findings, error, written } = outcome;
  const codes = reports.map(exitCodeForReport);
  if (error !== undefined) codes.push(exitCodeForError(error));
  // Nothing verified because every mode asked for was skipped: that proves nothing.
  if (reports.length === 0 && error === undefined && outcome.skipped.size > 0) codes.push(ExitCode.CouldNotVerify);
  const code = combineExitCodes(codes);

  if (flags.json) {
    const failure = error === undefined ? null : { code: isZdtError(error) ? error.code : null, message: (error as Error).message ?? String(error) };
    const mutants = flags.mutants ? (outcome.mutants ?? null) : undefined;
    io.stdout.write(`${JSON.stringify({ schema: 'zdt.verify-output/v1', exitCode: code, reports, lint: { summary: summarize(findings), findings }, reportFiles: written ?? null, error: failure, mutants }, null, 2)}\n`);
  } else if (!flags.quiet) {
    for (const report of reports) io.stdout.write(`${formatReport(report)}\n\n`);
    if (outcome.mutants) io.stdout.write(`${formatMutants(outcome.mutants)}\n\n`);
    else if (outcome.mutants === null) io.stdout.write('mutants: not run, the manifests themselves did not pass\n\n');
    if (written) io.stdout.write(`reports: ${written.html} ${written.junit} ${written.json}\n`);
  }
  if (error !== undefined) reportError(io, error);

  const parts = labels.map((name) => {
    const skipped = outcome.skipped.get(name);
    if (skipped) return `${name} skipped (${skipped})`;
    const report = reports.find((r) => r.scenario === name);
    if (!report) return `${name} ${name === outcome.running ? 'stopped' : 'not run'}`;
    const reason = reportReason(report);
    return `${name} ${report.verdict}${reason ? ` (${reason})` : ''}`;
  });
  const summary = reports.length === 0 && outcome.running === undefined ? 'no scenario ran' : parts.join(', ');
  // With --json the verdict line goes to stderr, so stdout stays one JSON document.
  (flags.json ? io.stderr : io.stdout).write(`zdt: ${LABELS[code]} (exit ${code}): ${summary}\n`);
  return code;
}
