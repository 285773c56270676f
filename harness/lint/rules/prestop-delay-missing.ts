import { finding } from '../context.ts';
import { preStopDelaySeconds, preStopSyntaxError, servingContainers } from '../pod.ts';
import type { Rule } from '../types.ts';

export const preStopDelayMissing: Rule = {
  id: 'prestop-delay-missing',
  severity: 'error',
  description:
    'A serving container has no preStop delay (or its preStop shell script does not parse, so the hook fails at once), so it stops while Services and proxies still route to it and in-flight requests fail.',
  help: 'Add lifecycle.preStop with `sleep: {seconds: N}` or an exec `sleep N` (in a script `sh -n` accepts) so endpoints are removed before shutdown.',
  check(ctx) {
    return ctx.workloads.flatMap((w) =>
      servingContainers(w.spec)
        .filter((c) => preStopDelaySeconds(c) === undefined)
        .map((c) => {
          const syntaxError = preStopSyntaxError(c);
          return syntaxError === undefined
            ? finding(
                preStopDelayMissing,
                w.manifest,
                `container "${c.name}" has no preStop sleep; it gets SIGTERM while endpoints still route to it`,
                `add lifecycle.preStop.sleep.seconds: 10 (or exec ["sh","-c","sleep 10"]) to container "${c.name}"`,
              )
            : finding(
                preStopDelayMissing,
                w.manifest,
                `container "${c.name}" preStop script does not parse (${syntaxError}); the hook fails before any sleep and the container gets SIGTERM at once`,
                `correct the shell syntax of lifecycle.preStop.exec.command in container "${c.name}" until \`sh -n\` accepts it`,
              );
        }),
    );
  },
};
