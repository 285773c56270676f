import { Option, type Command } from 'commander';
import { k6Script } from '../k6/export.ts';
import { parseExpectStatus } from '../load/status.ts';
import { checkUrl, DEFAULT_NODE_PORT } from '../scenario/options.ts';
import { addChartOptions, renderOptionsOf, type ChartFlags } from './chart.ts';
import { exampleArgument } from './example.ts';
import { ExitCode, reportError } from './exit.ts';
import { loadVerifyInputs } from './inputs.ts';
import type { CommandContext } from './io.ts';
import { addLoadOptions, checkTargetFlags, loadProfileOf, positive, TIMER_CAP, type LoadFlags } from './load-flags.ts';

interface K6Flags extends ChartFlags, LoadFlags {
  duration: number;
}

/** The timeout zdt's loop gives each of connect, headers and body (harness/load/loop.ts's default). */
const TIMEOUT_MS = 2000;

/** `zdt k6 [dir] > drain.ts`: the load `zdt verify` would put on the manifests' Services, as a k6 script. Exit 0, or 2 for bad input. */
export function registerK6(program: Command, { io, exit }: CommandContext): void {
  const command = program
    .command('k6')
    .description("print the load zdt verify puts on the Services as a k6 script (TypeScript), to run with k6 against a cluster of yours; zdt does not run k6")
    .addArgument(exampleArgument());
  addLoadOptions(command)
    .addOption(
      new Option('--duration <s>', 'seconds the load runs (k6 scenario duration)').argParser(positive('--duration', TIMER_CAP)).default(60).conflicts('loadProfile'),
    );
  addChartOptions(command).action(async (dir: string, flags: K6Flags) => {
    try {
      checkTargetFlags(flags);
      const inputs = await loadVerifyInputs(dir, flags.service, flags.port, renderOptionsOf(flags, io.signal));
      const profile = await loadProfileOf(flags);
      if (flags.url !== undefined) checkUrl(flags.url, inputs.services, '--url');
      const targets = inputs.services.map((service, i) => ({ service, url: flags.url ?? `${flags.scheme}://127.0.0.1:${DEFAULT_NODE_PORT + i}${flags.path}` }));
      io.stdout.write(
        k6Script({
          targets,
          rate: flags.rate,
          durationSeconds: flags.duration,
          profile,
          connection: flags.connection,
          host: flags.host,
          insecure: flags.insecure === true,
          expectStatus: parseExpectStatus(flags.expectStatus, '--expect-status'),
          timeoutMs: TIMEOUT_MS,
        }),
      );
      exit(ExitCode.Pass);
    } catch (err) {
      exit(reportError(io, err));
    }
  });
}
