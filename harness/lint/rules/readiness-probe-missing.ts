import { finding } from '../context.ts';
import { servingContainers } from '../pod.ts';
import type { Rule } from '../types.ts';

export const readinessProbeMissing: Rule = {
  id: 'readiness-probe-missing',
  severity: 'error',
  description: 'A serving container has no readinessProbe, so replacement pods get traffic before they can answer it.',
  help: 'Add a readinessProbe (httpGet, tcpSocket, grpc or exec) to every container with ports, or to the main container.',
  check(ctx) {
    return ctx.workloads.flatMap((w) =>
      servingContainers(w.spec)
        .filter((c) => c.readinessProbe === undefined)
        .map((c) =>
          finding(
            readinessProbeMissing,
            w.manifest,
            `container "${c.name}" has no readinessProbe; new pods receive traffic as soon as they start`,
            `add readinessProbe (e.g. httpGet on the serving port) to container "${c.name}"`,
          ),
        ),
    );
  },
};
