import { expect } from 'chai';
import { probeOnce } from '../../harness/load/probe.ts';
import { startServer } from './server.ts';

describe('load/probe', () => {
  it('one burst says whether the Service answers, and counts what came back', async () => {
    let status = 503;
    const server = await startServer((_req, res) => {
      res.statusCode = status;
      res.end();
    });
    try {
      const refused = await probeOnce({ url: server.url });
      expect(refused).to.include({ ok: false, definitive: false });
      expect(refused.answered).to.match(/^503 ×\d+$/);
      status = 404;
      expect(await probeOnce({ url: server.url })).to.include({ ok: false, definitive: true });
      status = 200;
      // A profile's ramping schedule is the load's: the probe keeps its own rate.
      const withSchedule = await probeOnce({ url: server.url, schedule: { startRate: 0, stages: [{ durationMs: 60_000, target: 500 }] } });
      expect(withSchedule).to.include({ ok: true, failed: 0 });
      expect(withSchedule.sent).to.be.within(8, 12);
    } finally {
      await server.close();
    }
  });
});
