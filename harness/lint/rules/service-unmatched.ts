import type { Service } from '../../kube/types.ts';
import { finding } from '../context.ts';
import type { Rule } from '../types.ts';

export const serviceUnmatched: Rule = {
  id: 'service-unmatched',
  severity: 'warning',
  description: 'A Service selector matches no pod template in these manifests, so it has no endpoints and every request fails.',
  help: "Make the Service's spec.selector match the pod template labels of the workload it fronts.",
  check(ctx) {
    return ctx.services.flatMap((service) => {
      const spec = (service.object as Service).spec;
      // Selector-less and ExternalName Services get endpoints elsewhere; nothing to match.
      if (spec?.type === 'ExternalName' || Object.keys(spec?.selector ?? {}).length === 0) return [];
      if (ctx.podSourcesForService(service).length > 0) return [];
      return [
        finding(
          serviceUnmatched,
          service,
          `selector ${JSON.stringify(spec?.selector)} matches no pod template in these manifests`,
          'set spec.selector to labels present in the pod template of the workload it fronts',
        ),
      ];
    });
  },
};
