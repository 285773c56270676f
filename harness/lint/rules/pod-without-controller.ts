import { finding } from '../context.ts';
import type { Rule } from '../types.ts';

export const podWithoutController: Rule = {
  id: 'pod-without-controller',
  severity: 'error',
  description:
    'A bare Pod has no controller: kubectl drain refuses its node without --force, and with --force the pod is deleted and nothing recreates it.',
  help: "Run the pod from a Deployment (or StatefulSet): move its metadata.labels and spec into the controller's spec.template.",
  check(ctx) {
    // Every bare Pod, behind a Service or not: a drain of its node is refused either way.
    return ctx.workloads
      .filter((w) => !w.controlled)
      .map((w) => {
        const services = ctx.servicesFor(w).map((s) => s.object.metadata?.name);
        const serving = services.length > 0 ? ` serving Service ${services.join(', ')}` : '';
        return finding(
          podWithoutController,
          w.manifest,
          `pod ${w.name}${serving} has no controller: kubectl drain refuses its node without --force, and --force deletes it for good`,
          `run it from a Deployment (or StatefulSet) whose spec.template holds this pod's labels and spec`,
        );
      });
  },
};
