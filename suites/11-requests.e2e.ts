/**
 * The request a user's app needs, end to end: an nginx that answers 200 only for
 * `Host: shop.example.com` on `/shop`, over TLS with a self-signed certificate, behind a
 * Service with two ports (plain http answers 404 everywhere). zdt verify passes it with
 * --port https --scheme https --insecure --host --path; without the Host header nothing it
 * answers is expected, so it cannot verify (exit 2) and says which statuses came back.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedManifest } from '../harness/manifests/load.ts';
import type { Deployment, Service } from '../harness/kube/types.ts';
import { attachedCli, type AttachedCli } from './cli.ts';
import { variant } from './variants.ts';

const NGINX_CONF = `worker_processes 1;
pid /run/nginx.pid;
error_log /dev/stderr notice;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 65;
  keepalive_time 1s;
  server {
    listen 80 default_server;
    listen 443 ssl default_server;
    ssl_certificate /etc/tls/tls.crt;
    ssl_certificate_key /etc/tls/tls.key;
    default_type text/plain;
    location / { return 404 "wrong host\\n"; }
  }
  server {
    listen 443 ssl;
    server_name shop.example.com;
    ssl_certificate /etc/tls/tls.crt;
    ssl_certificate_key /etc/tls/tls.key;
    default_type text/plain;
    location = /shop { add_header X-Pod-Name $hostname always; return 200 "shop $hostname\\n"; }
    location / { return 404 "no such page\\n"; }
  }
}
`;

/** A self-signed certificate for shop.example.com, made for this run. */
function selfSigned(dir: string): { crt: string; key: string } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=shop.example.com', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
  return { crt: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
}

function shopApp(tls: { crt: string; key: string }) {
  return (m: LoadedManifest[]): LoadedManifest[] => {
    const conf = m.find((x) => x.object.kind === 'ConfigMap')!.object as { data?: Record<string, string> };
    conf.data = { 'nginx.conf': NGINX_CONF };
    const d = m.find((x) => x.object.kind === 'Deployment')!.object as Deployment;
    const pod = d.spec!.template!.spec!;
    pod.volumes = [...(pod.volumes ?? []), { name: 'tls', secret: { secretName: 'shop-tls' } }];
    const nginx = pod.containers[0]!;
    nginx.ports = [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }];
    // Ready means serving the shop: the same request the load sends (the kubelet does not check certificates).
    nginx.readinessProbe = { ...nginx.readinessProbe, httpGet: { path: '/shop', port: 443, scheme: 'HTTPS', httpHeaders: [{ name: 'Host', value: 'shop.example.com' }] } };
    nginx.volumeMounts = [...((nginx.volumeMounts as unknown[]) ?? []), { name: 'tls', mountPath: '/etc/tls', readOnly: true }];
    const svc = m.find((x) => x.object.kind === 'Service')!.object as Service;
    svc.spec = { ...svc.spec, type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 80 }, { name: 'https', port: 443, targetPort: 443 }] };
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shop-tls' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': tls.crt, 'tls.key': tls.key } };
    return [{ object: secret, file: 'shop.yaml', line: 1 }, ...m];
  };
}

describe('11. the request the app needs: --port, --scheme https, --insecure, --host, --path, --expect-status', function () {
  let cli: AttachedCli;
  let app: string;
  before(async () => {
    cli = await attachedCli();
    app = await cli.write('shop', await variant(shopApp(selfSigned(cli.dir))));
  });
  after(() => cli[Symbol.asyncDispose]());

  const request = ['--port', 'https', '--scheme', 'https', '--insecure', '--path', '/shop'];

  it('passes with the Host header the app routes by', async function () {
    const r = await cli.verify([app, '--scenario', 'rollout', '--no-lint', ...request, '--host', 'shop.example.com']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    // On kind the load enters at the control-plane node's own address (conntrack attribution needs the client's port).
    expect(r.stderr).to.match(/https:\/\/\d+\.\d+\.\d+\.\d+:30080\/shop -> Service \S+ port 443 \(https\)/);
    expect(r.stdout).to.match(/answered by\s+nginx-deployment-/);
  });

  it('cannot verify without it, and names the statuses the app answered and the flags to check', async function () {
    const r = await cli.verify([app, '--scenario', 'rollout', '--no-lint', ...request]);
    expect(r.code, r.stdout + r.stderr).to.equal(2);
    expect(r.stderr).to.match(/answered 404 .*expected 200-399.*--path, --host/);
  });
});
