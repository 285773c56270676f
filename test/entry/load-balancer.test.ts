import { expect } from 'chai';
import { EXCLUDE_LB_LABEL, HEALTH_CHECK, haproxyConfig, KUBE_PROXY_HEALTH_PORT, listenPort, loadBalancerBackends, parseBackendChange } from '../../harness/entry/load-balancer.ts';
import type { Node } from '../../harness/kube/types.ts';

const node = (name: string, address: string, labels: Record<string, string> = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  status: { addresses: [{ type: 'InternalIP', address: 'fc00:f853::3' }, { type: 'InternalIP', address }, { type: 'Hostname', address: name }] },
});

/** The `server` lines and the check line of one listen section, by its name. */
function section(config: string, name: string): string[] {
  const lines = config.split('\n');
  const start = lines.indexOf(`listen ${name}`);
  expect(start, `listen ${name}`).to.be.at.least(0);
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('  '));
  return lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.trim());
}

describe('entry/load-balancer', () => {
  it('puts every node behind it but those a service controller leaves out (the control plane), by IPv4 InternalIP', () => {
    const backends = loadBalancerBackends([
      node('zdt-control-plane', '172.18.0.2', { [EXCLUDE_LB_LABEL]: '', 'node-role.kubernetes.io/control-plane': '' }),
      node('zdt-worker', '172.18.0.3'),
      node('zdt-worker2', '172.18.0.4'),
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'no-address' } },
    ]);
    expect(backends).to.deep.equal([
      { node: 'zdt-worker', address: '172.18.0.3' },
      { node: 'zdt-worker2', address: '172.18.0.4' },
    ]);
    // A single-node cluster: nothing a load balancer could send to, said at once rather than as a timeout.
    expect(() => loadBalancerBackends([node('zdt-control-plane', '172.18.0.2', { [EXCLUDE_LB_LABEL]: '' })])).to.throw(
      /^no node can stand behind a load balancer: all 1 carry node\.kubernetes\.io\/exclude-from-external-load-balancers .*: use a cluster with workers, or --entry nodeport$/,
    );
  });

  it("checks kube-proxy's /healthz under externalTrafficPolicy Cluster and the Service's healthCheckNodePort under Local, with GCE's timings", () => {
    const backends = [{ node: 'w1', address: '10.0.0.1' }, { node: 'w2', address: '10.0.0.2' }];
    const config = haproxyConfig([{ service: 'web', nodePort: 30080 }, { service: 'api', nodePort: 30081, healthCheckNodePort: 31234 }], backends);
    expect(config).to.match(/^defaults\n(  .*\n)*  mode tcp\n/m);
    // No retry (a network load balancer passes a connection through once), and the check's connect bounded by GCE's 1 s timeout too.
    expect(config).to.include(`  retries 0\n  timeout connect ${HEALTH_CHECK.timeoutMs}ms\n`);
    expect(config).to.include(`timeout check ${HEALTH_CHECK.timeoutMs}ms`);
    expect(section(config, 'web')).to.deep.equal([
      `bind :${listenPort(0)}`,
      'balance roundrobin',
      'option httpchk GET /healthz',
      'option log-health-checks',
      `default-server check port ${KUBE_PROXY_HEALTH_PORT} inter 8000ms rise 1 fall 3`,
      'server w1 10.0.0.1:30080',
      'server w2 10.0.0.2:30080',
    ]);
    expect(section(config, 'api')).to.include.members([`bind :${listenPort(1)}`, 'default-server check port 31234 inter 8000ms rise 1 fall 3', 'server w2 10.0.0.2:30081']);
  });

  it("reads haproxy's notices of a backend failing its check, leaving rotation and rejoining it, and nothing else", () => {
    expect(parseBackendChange('Health check for server nginx-service/zdt-worker3 failed, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 1ms, status: 2/3 UP.')).to.deep.equal({
      service: 'nginx-service',
      node: 'zdt-worker3',
      state: 'failing',
      reason: 'Layer7 wrong status, code: 503',
    });
    expect(parseBackendChange('Health check for server web/zdt-worker failed, reason: Layer4 timeout, check duration: 501ms, status: 1/3 UP.')).to.deep.include({ state: 'failing', reason: 'Layer4 timeout' });
    expect(parseBackendChange('Server web/zdt-worker is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')).to.deep.equal({ service: 'web', node: 'zdt-worker', state: 'down' });
    expect(parseBackendChange('Health check for server web/zdt-worker succeeded, reason: Layer7 check passed, code: 200, check duration: 1ms, status: 3/3 UP.')).to.deep.equal({ service: 'web', node: 'zdt-worker', state: 'up', reason: 'Layer7 check passed, code: 200' });
    // A failed check of a node already out of rotation, a pass short of full health, or the UP notice after a pass already read, changes nothing; other lines are not read.
    expect(parseBackendChange('Server web/zdt-worker is UP. 1 active and 0 backup servers online.')).to.equal(undefined);
    expect(parseBackendChange('Health check for server web/zdt-worker succeeded, reason: Layer7 check passed, code: 200, check duration: 1ms, status: 2/3 UP.')).to.equal(undefined);
    expect(parseBackendChange('Health check for server web/zdt-worker failed, reason: Layer4 connection problem, info: "No route to host", check duration: 65ms, status: 0/1 DOWN.')).to.equal(undefined);
    expect(parseBackendChange('[WARNING]  (1) : Server web/zdt-worker is DOWN, reason: Layer4 timeout')).to.equal(undefined);
    expect(parseBackendChange('proxy web has no server available!')).to.equal(undefined);
  });
});
