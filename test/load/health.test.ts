import { expect } from 'chai';
import { getPriority } from 'node:os';
import { explainHealth, watchGeneratorHealth, worstHealth, type GeneratorHealth } from '../../harness/load/health.ts';
import { sleep } from '../../harness/wait.ts';

const health = (h: Partial<GeneratorHealth>): GeneratorHealth => ({ loopDelayP99Ms: 5, loopDelayMaxMs: 280, cpuPercent: 30, cpuPressurePercent: 10, nice: -10, autogroupNice: -10, ...h });

describe('load: the generator’s own health', () => {
  it('sees the event loop held by synchronous work, and the CPU that work used', async () => {
    const watch = watchGeneratorHealth();
    await sleep(50);
    const until = performance.now() + 150;
    while (performance.now() < until); // held: no timer can fire
    await sleep(50);
    const h = await watch.stop();
    expect(h.loopDelayMaxMs).to.be.at.least(100);
    expect(h.cpuPercent).to.be.above(0);
    if (h.cpuPressurePercent !== null) expect(h.cpuPressurePercent).to.be.within(0, 100);
    expect(h.nice).to.equal(getPriority());
    // Another test process of this session may raise the autogroup meanwhile: its value, not which, is checked here (priority.test.ts checks the reading).
    if (h.autogroupNice !== null) expect(h.autogroupNice).to.be.within(-20, 19);
  });

  it('reads an idle event loop as no delay: the sampling interval is not counted', async () => {
    const watch = watchGeneratorHealth();
    await sleep(300);
    expect((await watch.stop()).loopDelayP99Ms).to.be.below(10);
  });

  it('says whose fault a late start was: the generator’s own work, a machine short of CPU, or neither known', () => {
    expect(explainHealth(health({ cpuPercent: 95 }))).to.match(/used 95% of a core: its own work is the limit/);
    expect(explainHealth(health({ cpuPressurePercent: 61 }))).to.match(/held up to 280 ms while tasks waited for a CPU 61% of the time \(it used 30% of a core\): the machine is short of CPU \(fewer nodes or other work on it, or a lower --rate\)$/);
    expect(explainHealth(health({ cpuPressurePercent: null }))).to.equal('its event loop was held up to 280 ms, using 30% of a core');
  });

  it('tells a generator short of CPU below nice -10 that it needs root or CAP_SYS_NICE where autogroups make that help, and one already raised nothing more', () => {
    expect(explainHealth(health({ cpuPressurePercent: 61, nice: 0 }))).to.match(/lower --rate\); it ran at nice 0, level with the cluster's work: zdt asks for nice -10, which needs root or CAP_SYS_NICE$/);
    expect(explainHealth(health({ cpuPressurePercent: 61, autogroupNice: 0 }))).to.match(/lower --rate\); it ran in a session \(autogroup\) at nice 0, level with the cluster's work/);
    expect(explainHealth(health({ cpuPressurePercent: 61, nice: 0, autogroupNice: 0 }))).to.match(/it ran at nice 0 in a session \(autogroup\) at nice 0, level/);
    expect(explainHealth(health({ cpuPressurePercent: 61, nice: 5 }))).to.match(/it ran at nice 5, level with the cluster's work/);
    // Without autogroups (a pod, a systemd session scope) no nice outranks the cluster: no advice.
    expect(explainHealth(health({ cpuPressurePercent: 61, nice: 0, autogroupNice: null }))).to.match(/lower --rate\)$/);
    expect(explainHealth(health({ cpuPressurePercent: 5, nice: 0 }))).to.not.match(/nice/);
  });

  it('takes the worst of each figure over several generators', () => {
    expect(worstHealth([health({ loopDelayMaxMs: 10, cpuPercent: 50, cpuPressurePercent: null }), health({ loopDelayP99Ms: 9, cpuPressurePercent: 33 })])).to.deep.equal({
      loopDelayP99Ms: 9,
      loopDelayMaxMs: 280,
      cpuPercent: 50,
      cpuPressurePercent: 33,
      nice: -10,
      autogroupNice: -10,
    });
    expect(worstHealth([health({ nice: -10 }), health({ nice: 0 })])!.nice).to.equal(0);
    expect(worstHealth([health({ nice: -10 }), health({ nice: null })])!.nice).to.equal(null);
    expect(worstHealth([])).to.equal(undefined);
  });
});
