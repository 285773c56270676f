import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ErrorCode, isZdtError } from '../../harness/errors.ts';
import type { Deployment } from '../../harness/kube/types.ts';
import { loadManifests, type LoadedManifest } from '../../harness/manifests/load.ts';
import { findTool, helmSources, placeOf, rendererOf } from '../../harness/manifests/render.ts';

const CHART = 'suites/manifests/chart';
const KUSTOMIZE = 'suites/manifests/kustomize';
const values = (name: string) => join(CHART, 'values', `${name}.yaml`);

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
};
/** kind/name, and whether the Deployment's container has a preStop hook. */
const summary = (manifests: readonly LoadedManifest[]) =>
  manifests
    .map((m) => `${m.object.kind}/${m.object.metadata?.name}${m.object.kind === 'Deployment' ? ((m.object as Deployment).spec?.template?.spec?.containers[0]?.lifecycle ? ' preStop' : ' no preStop') : ''}`)
    .sort();
/** The objects themselves, in a fixed order: what a run deploys, whichever tool rendered them. */
const objects = (manifests: readonly LoadedManifest[]) =>
  manifests.map((m) => m.object).sort((a, b) => `${a.kind}/${a.metadata?.name}`.localeCompare(`${b.kind}/${b.metadata?.name}`));

describe('manifests/render', () => {
  it('maps each line of a helm template stream to its template and the line within it', () => {
    const sourceOf = helmSources('---\n# Source: shop/templates/web.yaml\napiVersion: v1\nkind: A\n---\n# Source: shop/templates/api.yaml\napiVersion: v1\n');
    expect(sourceOf(1)).to.equal(undefined);
    expect(sourceOf(3)).to.deep.equal({ template: 'shop/templates/web.yaml', line: 1 });
    expect(sourceOf(4)).to.deep.equal({ template: 'shop/templates/web.yaml', line: 2 });
    expect(sourceOf(7)).to.deep.equal({ template: 'shop/templates/api.yaml', line: 1 });
  });

  it('places a rendered object in its template by the line of the output, never as file:line', () => {
    expect(placeOf({ file: 'a.yaml', line: 12 })).to.equal('a.yaml:12');
    expect(placeOf({ file: 'c/templates/api.yaml', line: 1, rendered: 'helm template' })).to.equal('c/templates/api.yaml (line 1 of what helm template rendered from it)');
  });

  it('knows a chart by Chart.yaml and a kustomization by its file; anything else is plain YAML', async () => {
    expect(await rendererOf(CHART)).to.equal('helm template');
    expect(await rendererOf(join(KUSTOMIZE, 'overlays/prod'))).to.equal('kubectl kustomize');
    expect(await rendererOf('suites/manifests/production')).to.equal(undefined);
    expect(await rendererOf(join(CHART, 'Chart.yaml'))).to.equal(undefined);
  });

  it('renders the chart with values files, naming each object’s template, and the overlay to the same objects', async () => {
    const prod = await loadManifests(CHART, { render: { values: [values('prod')] } });
    expect(summary(prod)).to.deep.equal([
      'ConfigMap/zdt-nginx-conf',
      'Deployment/zdt-api preStop',
      'Deployment/zdt-web preStop',
      'HorizontalPodAutoscaler/zdt-api',
      'PodDisruptionBudget/zdt-api',
      'PodDisruptionBudget/zdt-web',
      'Service/api',
      'Service/web',
    ]);
    const api = prod.find((m) => m.object.kind === 'Deployment' && m.object.metadata?.name === 'zdt-api')!;
    expect(api).to.include({ file: join(CHART, 'templates/api.yaml'), rendered: 'helm template', line: 1 });
    expect(prod.find((m) => m.object.kind === 'ConfigMap')?.file).to.equal(join(CHART, 'templates/configmap.yaml'));

    const broken = await loadManifests(CHART, { render: { values: [values('prod'), values('broken')] } });
    expect(summary(broken)).to.include.members(['Deployment/zdt-api no preStop', 'Deployment/zdt-web preStop']);
    const set = await loadManifests(CHART, { render: { set: ['api.preStopDelaySeconds=0'] } });
    expect(summary(set)).to.deep.equal(summary(broken));

    // Helm's other --set flags, in Helm's own order whatever the order given: --set-json, --set, --set-string, --set-file.
    const dir = await mkdtemp(join(tmpdir(), 'zdt-render-'));
    await writeFile(join(dir, 'image.txt'), 'zdt.local/nginx:from-file');
    const flags = await loadManifests(CHART, {
      render: { setFile: [`image=${join(dir, 'image.txt')}`], setString: ['web.replicas=3'], setJson: ['api.preStopDelaySeconds=0', 'web.replicas=5'] },
    });
    expect(summary(flags)).to.deep.equal(summary(broken));
    const web = flags.find((m) => m.object.kind === 'Deployment' && m.object.metadata?.name === 'zdt-web')!.object as Deployment;
    expect(web.spec?.replicas, '--set-string applies after --set-json').to.equal(3);
    expect(web.spec?.template?.spec?.containers[0]?.image).to.equal('zdt.local/nginx:from-file');

    // The overlays are the same release object for object, so suite 14 runs only the broken one on the cluster.
    expect(objects(await loadManifests(join(KUSTOMIZE, 'overlays/prod')))).to.deep.equal(objects(prod));
    const overlay = await loadManifests(join(KUSTOMIZE, 'overlays/broken'));
    expect(objects(overlay)).to.deep.equal(objects(broken));
    expect(overlay[0]).to.include({ file: join(KUSTOMIZE, 'overlays/broken/kustomization.yaml'), rendered: 'kubectl kustomize' });
  });

  it("fails with the tool's own message, and refuses values where no chart takes them", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zdt-render-'));
    await mkdir(join(dir, 'bad/templates'), { recursive: true });
    await writeFile(join(dir, 'bad/Chart.yaml'), 'apiVersion: v2\nname: bad\nversion: 0.1.0\n');
    await writeFile(join(dir, 'bad/templates/x.yaml'), 'kind: {{ .Values.kind \n');
    const failed = await rejection(loadManifests(join(dir, 'bad')));
    expect(isZdtError(failed, ErrorCode.Manifest)).to.equal(true);
    expect(failed.message).to.match(/^helm template .*bad failed:\n.*parse error/s);

    const plain = await rejection(loadManifests('suites/manifests/production', { render: { values: [values('prod')] } }));
    expect(plain.message).to.match(/is not a Helm chart \(no Chart\.yaml\): --values and --set apply to charts only/);
    const kustomization = await rejection(loadManifests(join(KUSTOMIZE, 'overlays/prod'), { render: { set: ['a=b'] } }));
    expect(kustomization.message).to.match(/is a kustomization: --values and --set apply to Helm charts only/);
    const json = await rejection(loadManifests(join(KUSTOMIZE, 'overlays/prod'), { render: { setJson: ['a=1'] } }));
    expect((json as { details?: { option?: string } }).details?.option).to.equal('--set-json');
    expect((await rejection(loadManifests('suites/manifests/production', { render: { setString: ['a=b'] } }))).message).to.match(/is not a Helm chart/);
    const missing = await rejection(loadManifests(CHART, { render: { values: [join(dir, 'nope.yaml')] } }));
    expect(missing.message).to.match(/--values .*nope\.yaml: no such file/);
    expect((await rejection(loadManifests(CHART, { render: { values: [dir] } }))).message).to.match(/--values .*: not a file/);
    expect(failed.message, "Helm's hint names a flag zdt does not have").not.to.match(/--debug/);
  });

  it("leaves out the chart's test hooks (helm test Pods), as they serve no traffic", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zdt-hooks-'));
    await mkdir(join(dir, 'c/templates/tests'), { recursive: true });
    await writeFile(join(dir, 'c/Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n');
    await writeFile(join(dir, 'c/templates/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n');
    await writeFile(
      join(dir, 'c/templates/tests/test-connection.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: test\n  annotations: {"helm.sh/hook": test}\nspec: {containers: [{name: wget, image: busybox}]}\n',
    );
    expect(summary(await loadManifests(join(dir, 'c')))).to.deep.equal(['ConfigMap/cm']);
  });

  it('finds a tool on PATH, then in the setup cache, else names the setup command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zdt-tool-'));
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin/helm'), '#!/bin/sh\n', { mode: 0o755 });
    expect(await findTool('helm', { PATH: '', ZDT_CACHE_DIR: dir })).to.equal(join(dir, 'bin/helm'));
    expect(await findTool('helm', { PATH: join(dir, 'bin'), ZDT_CACHE_DIR: '/nonexistent' })).to.equal(join(dir, 'bin/helm'));
    const err = await rejection(findTool('kubectl', { PATH: '', ZDT_CACHE_DIR: dir }));
    expect(err.message).to.match(/kubectl not found on PATH or in .*bin\/kubectl: run `bash .*setup\.sh`/);
  });
});
