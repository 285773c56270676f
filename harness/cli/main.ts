import { Leftovers } from './leftovers.ts';
import { runCli } from './program.ts';

// First SIGINT/SIGTERM: abort the run so it cleans up (cluster, nodes) and exits 130; a second one exits at once.
const controller = new AbortController();
const leftovers = new Leftovers();
const onSignal = (signal: NodeJS.Signals) => {
  if (controller.signal.aborted) {
    const left = leftovers.list();
    process.stderr.write(`zdt: ${signal} again: exiting without cleanup${left.length ? `; left behind:\n${left.map((l) => `  ${l}\n`).join('')}` : ', nothing left behind\n'}`);
    process.exit(130);
  }
  process.stderr.write(`zdt: ${signal}: stopping and cleaning up (send it again to exit at once)\n`);
  controller.abort(new Error(`received ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal, leftovers });
// Flush pending output before exiting: an exit cuts off writes to a pipe (a --json consumer), and
// exiting at all keeps a leftover socket or watch from holding the process open.
await Promise.all([process.stdout, process.stderr].map((s) => new Promise((resolve) => s.write('', resolve))));
process.exit(controller.signal.aborted ? 130 : code);
