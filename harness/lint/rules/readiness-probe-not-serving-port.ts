import type { Container, Service } from '../../kube/types.ts';
import { finding } from '../context.ts';
import { servingContainers } from '../pod.ts';
import type { Rule } from '../types.ts';

const PORTED_PROBES = ['httpGet', 'tcpSocket', 'grpc'] as const;

/** A container port by number or by name, as the kubelet and the endpoints controller resolve it. */
function resolvePort(container: Container, port: number | string): number | undefined {
  return typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
}

/** What the readiness probe checks, e.g. `exec only`, `httpGet on port 8081`, and the container port it reaches. */
function probed(container: Container): { what: string; port: number | undefined } {
  const probe = container.readinessProbe ?? {};
  for (const kind of PORTED_PROBES) {
    const port = (probe[kind] as { port?: number | string } | undefined)?.port;
    if (port === undefined) continue;
    const resolved = resolvePort(container, port);
    return { what: resolved === undefined ? `${kind} on port "${port}", which the container does not declare` : `${kind} on port ${resolved}`, port: resolved };
  }
  return { what: 'exec only', port: undefined };
}

/**
 * Container ports each serving container receives from the Service, by Service port: a
 * targetPort (the port itself when unset) goes to the container declaring it by number or
 * name; a number no container declares goes to the serving containers, since declared ports
 * are only informational.
 */
function targetsByContainer(service: Service, containers: readonly Container[]): Map<Container, Map<number, number>> {
  const targets = new Map<Container, Map<number, number>>();
  for (const servicePort of service.spec?.ports ?? []) {
    if ((servicePort.protocol ?? 'TCP') !== 'TCP') continue; // probes cannot check UDP
    const target = servicePort.targetPort ?? servicePort.port;
    const declaring = containers.filter((c) => c.ports?.some((p) => p.containerPort === target || p.name === target));
    for (const c of declaring.length > 0 ? declaring : typeof target === 'number' ? containers : []) {
      const port = resolvePort(c, target);
      if (port !== undefined) targets.set(c, (targets.get(c) ?? new Map()).set(port, servicePort.port));
    }
  }
  return targets;
}

export const readinessProbeNotServingPort: Rule = {
  id: 'readiness-probe-not-serving-port',
  severity: 'warning',
  description:
    'A readiness probe does not touch the port the Service sends traffic to (an exec probe, or a probe on another port), so pods join the endpoints before they can answer.',
  help: "Probe the Service's targetPort: readinessProbe.httpGet (or tcpSocket/grpc) on the container port the Service sends to.",
  check(ctx) {
    return ctx.services.flatMap((service) =>
      ctx.podSourcesForService(service).filter((w) => w.serving).flatMap((w) => {
        const targets = targetsByContainer(service.object as Service, servingContainers(w.spec));
        return [...targets].flatMap(([c, ports]) => {
          if (c.readinessProbe === undefined) return []; // readiness-probe-missing's finding
          const { what, port } = probed(c);
          if (port !== undefined && ports.has(port)) return [];
          const sends = [...ports].map(([target, servicePort]) => `port ${servicePort} to container port ${target}`).join(', ');
          return [
            finding(
              readinessProbeNotServingPort,
              w.manifest,
              `container "${c.name}" readiness probe is ${what}, but Service ${service.object.metadata?.name} sends ${sends}; pods turn ready before that port answers`,
              `make readinessProbe an httpGet (or tcpSocket) with port: ${[...ports.keys()][0]} in container "${c.name}"`,
            ),
          ];
        });
      }),
    );
  },
};
