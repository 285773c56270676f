import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKubeApi, readClusterIdentity } from '../../harness/kube/client.ts';
import type { KubeApi } from '../../harness/kube/api.ts';
import type { KubeObject, Pod } from '../../harness/kube/types.ts';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';

interface Seen {
  method: string;
  url: URL;
  contentType: string | undefined;
  auth: string | undefined;
  body: unknown;
}

const resources = {
  '/api/v1': [
    { name: 'pods', kind: 'Pod', namespaced: true },
    { name: 'pods/eviction', kind: 'Eviction', namespaced: true },
    { name: 'nodes', kind: 'Node', namespaced: false },
  ],
  '/apis/apps/v1': [{ name: 'deployments', kind: 'Deployment', namespaced: true }],
} as Record<string, unknown[]>;

const status = (code: number, reason: string, message: string, causes?: unknown[]) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code,
  reason,
  message,
  ...(causes ? { details: { causes } } : {}),
});

/** Answers like an API server for the few paths the tests use. */
function route(seen: Seen, res: ServerResponse): void {
  const json = (code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const p = seen.url.pathname;
  if (seen.method === 'GET' && resources[p]) return json(200, { kind: 'APIResourceList', resources: resources[p] });
  if (p === '/api/v1/namespaces/default/pods/missing') return json(404, status(404, 'NotFound', 'pods "missing" not found'));
  if (p === '/api/v1/namespaces/default/pods/slow') return; // never answers
  if (p === '/api/v1/namespaces/default/pods/web-1/eviction') {
    return json(429, status(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", [
      { reason: 'DisruptionBudget', message: 'The disruption budget nginx-pdb needs 2 healthy pods and has 2 currently' },
    ]));
  }
  if (p === '/api/v1/namespaces/default/pods/web-2/eviction') return json(201, seen.body);
  if (p === '/api/v1/namespaces/default/pods/web-1') return json(200, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', uid: 'u1' } });
  if (p === '/api/v1/pods') return json(200, { kind: 'PodList', apiVersion: 'v1', items: [{ metadata: { name: 'a', namespace: 'x' } }] });
  if (p === '/api/v1/nodes/n1') return json(200, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { unschedulable: true } });
  if (p === '/apis/apps/v1/namespaces/ns1/deployments/web') return json(200, seen.body);
  if (p === '/api/v1/namespaces/default/pods/gone') return json(404, status(404, 'NotFound', 'pods "gone" not found'));
  if (p === '/api/v1/namespaces/default/pods' && seen.url.searchParams.get('watch') === 'true') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'w1' } } }) + '\n');
    res.write(JSON.stringify({ type: 'DELETED', object: { kind: 'Pod', metadata: { name: 'w1' } } }) + '\n');
    return; // stream stays open until the client aborts
  }
  json(500, status(500, 'InternalError', `unexpected ${seen.method} ${p}`));
}

describe('kube/client (against a fake API server on 127.0.0.1)', () => {
  let server: Server;
  let api: KubeApi;
  let kubeconfig: string;
  const seen: Seen[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const s: Seen = {
          method: req.method ?? '',
          url: new URL(req.url ?? '/', 'http://127.0.0.1'),
          contentType: req.headers['content-type'],
          auth: req.headers.authorization,
          body: text ? JSON.parse(text) : undefined,
        };
        seen.push(s);
        route(s, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    kubeconfig = `
apiVersion: v1
kind: Config
clusters:
- name: kind-zdt
  cluster:
    server: http://127.0.0.1:${port}
    insecure-skip-tls-verify: true
users:
- name: kind-zdt
  user:
    token: secret-token
contexts:
- name: kind-zdt
  context: { cluster: kind-zdt, user: kind-zdt }
current-context: kind-zdt
`;
    api = createKubeApi({ kubeconfig });
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const last = (pathname: string) => [...seen].reverse().find((s) => s.url.pathname === pathname)!;

  it('reads the cluster identity from the kubeconfig', () => {
    const { port } = server.address() as AddressInfo;
    const expected = { server: `http://127.0.0.1:${port}`, context: 'kind-zdt', cluster: 'kind-zdt' };
    expect(api.identity).to.deep.equal(expected);
    expect(readClusterIdentity({ kubeconfig })).to.deep.equal(expected);
  });

  it('rejects an unknown context with ZDT_INVALID_OPTION', () => {
    try {
      createKubeApi({ kubeconfig, context: 'nope' });
      expect.fail('should throw');
    } catch (err) {
      expect(isZdtError(err, ErrorCode.InvalidOption)).to.equal(true);
    }
  });

  it('get: resolves the object, and undefined on 404; sends the token', async () => {
    const pod = await api.get<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-1' });
    expect(pod?.metadata?.uid).to.equal('u1');
    expect(last('/api/v1/namespaces/default/pods/web-1').auth).to.equal('Bearer secret-token');
    expect(await api.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'missing' })).to.equal(undefined);
  });

  it('list: across namespaces with a field selector; items get apiVersion/kind back', async () => {
    const pods = await api.list<Pod>({ apiVersion: 'v1', kind: 'Pod' }, { fieldSelector: 'spec.nodeName=n1' });
    expect(pods).to.deep.equal([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x' } }]);
    expect(last('/api/v1/pods').url.searchParams.get('fieldSelector')).to.equal('spec.nodeName=n1');
  });

  it('evict: a 429 becomes ZDT_KUBE_API with status, reason, message and the PDB cause', async () => {
    try {
      await api.evict('default', 'web-1', { gracePeriodSeconds: 3 });
      expect.fail('should reject');
    } catch (err) {
      expect(isZdtError(err, ErrorCode.KubeApi)).to.equal(true);
      const e = err as Error & { details: Record<string, unknown> };
      expect(e.details).to.deep.include({ status: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget." });
      expect(e.details.causes).to.deep.equal([{ reason: 'DisruptionBudget', message: 'The disruption budget nginx-pdb needs 2 healthy pods and has 2 currently' }]);
      expect(e.message).to.contain('eviction of pod default/web-1').and.contain('429');
    }
    expect(last('/api/v1/namespaces/default/pods/web-1/eviction').body).to.deep.equal({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'web-1', namespace: 'default' },
      deleteOptions: { gracePeriodSeconds: 3 },
    });
    await api.evict('default', 'web-2');
  });

  it('patch sends a JSON merge patch to the cluster-scoped path', async () => {
    await api.patch({ apiVersion: 'v1', kind: 'Node', name: 'n1' }, { spec: { unschedulable: null } });
    const s = last('/api/v1/nodes/n1');
    expect(s.method).to.equal('PATCH');
    expect(s.contentType).to.equal('application/merge-patch+json');
    expect(s.body).to.deep.equal({ spec: { unschedulable: null } });
  });

  it('apply is a forced server-side apply with the field manager, fields passed through unchanged', async () => {
    const obj: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns1' }, spec: { from: 1, default: 2 } };
    const back = await api.apply(obj, 'zdt');
    const s = last('/apis/apps/v1/namespaces/ns1/deployments/web');
    expect(s.contentType).to.equal('application/apply-patch+yaml');
    expect(s.url.searchParams.get('fieldManager')).to.equal('zdt');
    expect(s.url.searchParams.get('force')).to.equal('true');
    expect(s.body).to.deep.equal(obj);
    expect(back).to.deep.equal(obj);
  });

  it('delete resolves false when already gone', async () => {
    expect(await api.delete({ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'gone' }, { gracePeriodSeconds: 0 })).to.equal(false);
    expect(last('/api/v1/namespaces/default/pods/gone').url.searchParams.get('gracePeriodSeconds')).to.equal('0');
  });

  it('an unknown kind is a ZDT_KUBE_API error', async () => {
    try {
      await api.get({ apiVersion: 'v1', kind: 'Nope', name: 'x' });
      expect.fail('should reject');
    } catch (err) {
      expect(isZdtError(err, ErrorCode.KubeApi)).to.equal(true);
    }
  });

  it('honours the AbortSignal on a request in flight', async () => {
    const started = performance.now();
    try {
      await api.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'slow' }, AbortSignal.timeout(50));
      expect.fail('should reject');
    } catch (err) {
      expect(isZdtError(err, ErrorCode.Aborted), String(err)).to.equal(true);
    }
    expect(performance.now() - started).to.be.below(1000);
  });

  it('watch delivers events and resolves when the signal aborts', async () => {
    const controller = new AbortController();
    const events: [string, string | undefined][] = [];
    const done = api.watch({ apiVersion: 'v1', kind: 'Pod', namespace: 'default' }, { labelSelector: 'app=web' }, (type, obj) => {
      events.push([type, obj.metadata?.name]);
      if (events.length === 2) controller.abort();
    }, controller.signal);
    await done;
    expect(events).to.deep.equal([['ADDED', 'w1'], ['DELETED', 'w1']]);
    expect(last('/api/v1/namespaces/default/pods').url.searchParams.get('labelSelector')).to.equal('app=web');
  });
});
