import { expect } from 'chai';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import { checkLoadEntry, resolveScenarioOptions } from '../../harness/scenario/options.ts';

describe('scenario/options', () => {
  const base = { name: 'drain', manifests: 'x', maintenance: { kind: 'drain' } } as const;

  it('resolves every default in one place', () => {
    expect(resolveScenarioOptions(base)).to.include({ rate: 200, connection: 'mixed', warmupMs: 3000, settleMs: 5000, readyTimeoutMs: 120_000, restoreNodes: true, nodePort: 30080, entry: 'nodeport' });
  });

  it('rejects bad values, naming the option and the value', () => {
    const bad = (o: object, re: RegExp) => expect(() => resolveScenarioOptions({ ...base, ...o } as never)).to.throw(re);
    bad({ name: 'Drain Test' }, /name must be lower-case letters, digits and dashes, got "Drain Test"/);
    bad({ rate: 0 }, /rate must be > 0 requests per second, got 0/);
    bad({ entry: 'ingress-nginx' }, /entry must be one of nodeport, load-balancer, in-cluster, ingress, got "ingress-nginx"/);
    bad({ entry: 'ingress', scheme: 'https' }, /scheme must be 'http' with entry 'ingress': zdt's Ingress controller serves the rules on http only, got "https"/);
    bad({ loadNode: 'zdt-control-plane' }, /loadNode applies only to entry 'in-cluster', whose load runs in a pod, got "zdt-control-plane"/);
    bad({ entry: 'in-cluster', loadNode: 'role!=app' }, /invalid --load-node "role!=app": "role!=app" is not key=value/);
    bad({ entry: 'in-cluster', loadImage: 'node 24' }, /loadImage must be an image reference such as node:24-slim, got "node 24"/);
    bad({ entry: 'load-balancer', url: 'http://lb.example/' }, /entry cannot be given with url, which is where the load enters already: give one of them, got "load-balancer"/);
    bad({ settleMs: -1 }, /settleMs must be >= 0, got -1/);
    bad({ nodePort: 8080 }, /nodePort must be a NodePort in 30000-32767, got 8080/);
    bad({ connection: 'pipelined' }, /connection must be one of keep-alive, new, mixed, got "pipelined"/);
    bad({ maintenance: { kind: 'reboot' } }, /maintenance.kind must be 'drain', 'replace', 'rollout' or 'node-fault', got "reboot"/);
    bad({ maintenance: { kind: 'node-fault', fault: 'unplug' } }, /maintenance.fault must be one of kill, pause, disconnect, got "unplug"/);
    bad({ maintenance: { kind: 'node-fault', fault: 'kill', forMs: -5 } }, /maintenance.forMs must be 0-2147483647 ms, got -5/);
    bad({ budget: { maxFailed: { percent: 150 } } }, /budget maxFailed.percent must be 0-100, got 150/);
    bad({ maintenance: { kind: 'drain', nodes: 0 } }, /maintenance.nodes must be a whole number > 0, got 0/);
    bad({ url: 'staging.example.com/cart' }, /url staging.example.com\/cart: not a valid absolute URL/);
    bad({ url: 'ftp://staging.example.com/' }, /url ftp:\/\/staging.example.com\/: must be http:\/\/ or https:\/\//);
    bad({ url: 'http://lb.example/', services: ['web', 'api'] }, /one Service's load goes to one URL, and 2 are loaded \(web, api\): choose one with --service/);
    bad({ url: 'http://lb.example/', insecure: true }, /insecure applies only to https/);
  });

  it('url: any http(s) address, not only loopback, with insecure for https', () => {
    expect(resolveScenarioOptions({ ...base, url: 'https://10.0.0.7:8443/cart?x=1', insecure: true }).url).to.equal('https://10.0.0.7:8443/cart?x=1');
  });

  it('a cluster that is not kind needs url: none of its NodePorts is on 127.0.0.1', () => {
    expect(() => checkLoadEntry({}, { name: 'kind-zdt', isKind: true })).to.not.throw();
    expect(() => checkLoadEntry({ url: 'http://lb.example/' }, { name: 'prod', isKind: false })).to.not.throw();
    try {
      checkLoadEntry({}, { name: 'prod', isKind: false });
      expect.fail('no url on a cluster that is not kind');
    } catch (err) {
      expect(isZdtError(err, ErrorCode.InvalidOption), String(err)).to.equal(true);
      expect((err as Error).message).to.match(/^cluster prod is not a kind cluster, .*: give --url, where the app's traffic enters it/);
    }
    // zdt's load balancer joins kind's Docker network, which only a kind cluster has.
    expect(() => checkLoadEntry({ entry: 'load-balancer' }, { name: 'kind-zdt', isKind: true })).to.not.throw();
    expect(() => checkLoadEntry({ entry: 'load-balancer' }, { name: 'prod', isKind: false })).to.throw(/^cluster prod is not a kind cluster, and --entry load-balancer starts its load balancer on kind's Docker network: give --url/);
    // zdt's Ingress controller is reached on a NodePort kind publishes.
    expect(() => checkLoadEntry({ entry: 'ingress' }, { name: 'kind-zdt', isKind: true })).to.not.throw();
    expect(() => checkLoadEntry({ entry: 'ingress' }, { name: 'prod', isKind: false })).to.throw(/^cluster prod is not a kind cluster, and --entry ingress reaches its Ingress controller on a NodePort kind publishes: give --url, your Ingress host, instead/);
    // A load pod reaches the Services by name on any cluster.
    expect(() => checkLoadEntry({ entry: 'in-cluster' }, { name: 'prod', isKind: false })).to.not.throw();
  });
});
