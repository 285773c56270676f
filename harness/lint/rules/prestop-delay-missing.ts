import { finding } from '../context.ts';
import { preStopDelaySeconds, servingContainers } from '../pod.ts';
import type { Rule } from '../types.ts';

export const preStopDelayMissing: Rule = {
  id: 'prestop-delay-missing',
  severity: 'error',
  description:
    'A serving container has no preStop delay, so it stops while Services and proxies still route to it and in-flight requests fail.',
  help: 'Add lifecycle.preStop with `sleep: {seconds: N}` or an exec `sleep N` so endpoints are removed before shutdown.',
  check(ctx) {
    return ctx.workloads.flatMap((w) =>
      servingContainers(w.spec)
        .filter((c) => preStopDelaySeconds(c) === undefined)
        .map((c) =>
          finding(
            preStopDelayMissing,
            w.manifest,
            `container "${c.name}" has no preStop sleep; it gets SIGTERM while endpoints still route to it`,
            `add lifecycle.preStop.sleep.seconds: 10 (or exec ["sh","-c","sleep 10"]) to container "${c.name}"`,
          ),
        ),
    );
  },
};
