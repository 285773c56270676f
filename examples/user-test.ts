// A user's own mocha test: does ./k8s survive a drain of every node running it?
// (Type-checked with the package; import from 'zdt' in your project.)
import { expect, use } from 'chai';
import { Cluster, runScenario, zdtChai } from '../harness/index.ts';

use(zdtChai);

describe('my app', function () {
  this.timeout(15 * 60_000);
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.delete());

  it('drops no request while its nodes are drained', async () => {
    const { report } = await runScenario(cluster, { name: 'drain', manifests: './k8s', maintenance: { kind: 'drain' } });
    expect(report).to.have.zeroFailedRequests();
  });
});
