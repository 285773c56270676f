import { expect } from 'chai';
import { mergeLogs } from '../../harness/load/merge.ts';
import { renderJunit } from '../../harness/report/junit.ts';
import { formatReport } from '../../harness/verdict/format.ts';
import { buildReport } from '../../harness/verdict/report.ts';
import { drainStory, makeLog } from '../verdict/fixtures.ts';
import { findAll, parseXml } from './xml.ts';

describe('report: JUnit XML', () => {
  const failed = buildReport({ ...drainStory(), scenario: 'drain zdt-worker2' });
  const passed = buildReport({ ...drainStory({ failures: false }), scenario: 'rollout web' });

  it('is well-formed with one testcase per scenario and a failure for the failed one', () => {
    const root = parseXml(renderJunit([failed, passed]));
    expect(root.name).to.equal('testsuites');
    expect(root.attrs).to.include({ tests: '2', failures: '1', errors: '0' });
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => c.attrs.name)).to.deep.equal(['drain zdt-worker2', 'rollout web']);
    expect(cases.map((c) => c.attrs.time)).to.deep.equal(['10.000', '10.000']);

    const [failure, ...more] = findAll(cases[0]!, 'failure');
    expect(more).to.have.length(0);
    expect(failure!.attrs.message).to.equal('32 of 1000 requests failed');
    expect(failure!.text).to.equal(formatReport(failed));
    expect(failure!.text).to.include('#1 4.200-4.450 s');

    expect(findAll(cases[1]!, 'failure')).to.have.length(0);
    expect(findAll(cases[1]!, 'system-out')[0]!.text).to.equal(formatReport(passed));
  });

  it('has one testcase per Service when a scenario loaded several, each failing on its own requests or an incomplete maintenance', () => {
    const web = drainStory({ failures: false }).log;
    const { log: api, timeline } = drainStory();
    const streams = [
      { service: 'web', url: 'http://127.0.0.1:30080/', log: web },
      { service: 'api', url: 'http://127.0.0.1:30081/', log: api },
    ];
    const two = buildReport({ log: mergeLogs([web, api]), streams, timeline, scenario: 'parallel-drain', maintenance: { completed: true } });
    const root = parseXml(renderJunit([two]));
    expect(root.attrs).to.include({ tests: '2', failures: '1', errors: '0' });
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => c.attrs.name)).to.deep.equal(['parallel-drain: Service web', 'parallel-drain: Service api']);
    expect(findAll(cases[0]!, 'failure')).to.have.length(0);
    expect(findAll(cases[1]!, 'failure')[0]!.attrs.message).to.equal('32 of 1000 requests failed');
    expect(findAll(cases[1]!, 'failure')[0]!.text).to.match(/^Service api FAIL: 32 of 1000 requests failed/);

    const blocked = buildReport({ log: mergeLogs([web, web]), streams: [streams[0]!, { ...streams[0]!, service: 'api' }], timeline, scenario: 'x', maintenance: { completed: false, reason: 'PDB' } });
    const both = findAll(parseXml(renderJunit([blocked])), 'failure');
    expect(both.map((f) => f.attrs.message)).to.deep.equal(['maintenance did not complete: PDB', 'maintenance did not complete: PDB']);
  });

  it('reports an inconclusive scenario as an <error>', () => {
    const starved = buildReport({ log: makeLog([{ at: 0 }], { lateStarts: 1 }), timeline: [], scenario: 'starved' });
    const root = parseXml(renderJunit([starved, passed]));
    expect(root.attrs).to.include({ tests: '2', failures: '0', errors: '1' });
    const [testcase] = findAll(root, 'testcase');
    expect(findAll(testcase!, 'failure')).to.have.length(0);
    expect(findAll(testcase!, 'error')[0]!.attrs).to.deep.equal({
      message: 'the load generator fell behind (1 late starts, 0 dropped), so the service saw less load than scheduled',
      type: 'zdt.inconclusive',
    });
  });

  it('escapes names, messages and text so they read back unchanged', () => {
    const nasty = `a<b & "c" 'd' ]]> \u0001 ✓`;
    const r = buildReport({
      log: makeLog([{ at: 0, outcome: 503 }]),
      timeline: [],
      scenario: nasty,
      maintenance: { completed: false, reason: 'line one\nline two\t<x/>' },
    });
    const xml = renderJunit([r]);
    expect(xml).not.to.include('<b &');
    const [testcase] = findAll(parseXml(xml), 'testcase');
    // XML 1.0 cannot carry U+0001 even as a reference; it becomes U+FFFD.
    const readable = nasty.replace('\u0001', '\uFFFD');
    expect(testcase!.attrs.name).to.equal(readable);
    const failure = findAll(testcase!, 'failure')[0]!;
    expect(failure.attrs.message).to.equal('1 of 1 requests failed; maintenance did not complete: line one\nline two\t<x/>');
    expect(failure.text).to.equal(formatReport(r).replace('\u0001', '\uFFFD'));
  });

  it('the checker itself rejects broken XML', () => {
    const prolog = '<?xml version="1.0" encoding="UTF-8"?>\n';
    for (const bad of ['<a>x & y</a>', '<a><b></a></b>', '<a x="1" x="2"/>', '<a>1 < 2</a>', '<a x=1/>', '<a/><b/>', '<a>']) {
      expect(() => parseXml(prolog + bad), bad).to.throw();
    }
    expect(parseXml(`${prolog}<a x="&lt;&#10;&#x41;">&amp;&apos;</a>`)).to.deep.equal({ name: 'a', attrs: { x: '<\nA' }, children: [], text: "&'" });
  });
});
