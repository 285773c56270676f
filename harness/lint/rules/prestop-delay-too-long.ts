import { finding } from '../context.ts';
import { graceSeconds, preStopDelaySeconds, servingContainers } from '../pod.ts';
import type { Rule } from '../types.ts';

export const preStopDelayTooLong: Rule = {
  id: 'prestop-delay-too-long',
  severity: 'error',
  description:
    'A preStop delay is not shorter than terminationGracePeriodSeconds, so the kubelet kills the container before it shuts down gracefully.',
  help: 'Keep the preStop sleep well below terminationGracePeriodSeconds (default 30), leaving time for the app to drain.',
  check(ctx) {
    return ctx.workloads.flatMap((w) => {
      const grace = graceSeconds(w.spec);
      return servingContainers(w.spec).flatMap((c) => {
        const delay = preStopDelaySeconds(c);
        if (delay === undefined || delay < grace) return [];
        return [
          finding(
            preStopDelayTooLong,
            w.manifest,
            `container "${c.name}" preStop sleeps ${delay}s but terminationGracePeriodSeconds is ${grace}; SIGKILL lands before a graceful stop`,
            `set terminationGracePeriodSeconds to at least ${delay + 15}, or shorten the preStop sleep`,
          ),
        ];
      });
    });
  },
};
