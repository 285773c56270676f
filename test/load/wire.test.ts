import { expect } from 'chai';
import fc from 'fast-check';
import type { RequestLog } from '../../harness/load/types.ts';
import { encodeLog, LogAssembler, parsePodLine, type PodMessage } from '../../harness/load/wire.ts';

const logOf = (n: number, seed: number): RequestLog => ({
  count: n,
  scheduledAt: Float64Array.from({ length: n }, (_, i) => i * 5 + seed / 7),
  startedAt: Float64Array.from({ length: n }, (_, i) => i * 5 + 0.25),
  latencyMs: Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? NaN : i / 2)),
  outcome: Uint16Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 1001 : 200)),
  pod: Uint16Array.from({ length: n }, (_, i) => i % 3),
  newConnection: Uint8Array.from({ length: n }, (_, i) => i % 2),
  pods: ['', 'web-a', 'web-b'],
  lateStarts: seed % 4,
  dropped: 0,
  expectStatus: { spec: '200-399', ranges: [[200, 399]] },
});

/** Through text, as the pod's log carries it. */
const throughText = (messages: Iterable<PodMessage>) => [...messages].map((m) => JSON.stringify(m)).join('\n').split('\n').map(parsePodLine);

describe('load/wire: a RequestLog through the load pod\'s log', () => {
  it('comes back equal, column by column, whatever the log size and slice size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 0, max: 100 }), (n, perLine, seed) => {
        const log = logOf(n, seed);
        const assembler = new LogAssembler();
        for (const m of throughText(encodeLog(log, perLine))) assembler.accept(m!);
        const back = assembler.log();
        expect(back.count).to.equal(n);
        for (const c of ['scheduledAt', 'startedAt', 'latencyMs', 'outcome', 'pod', 'newConnection'] as const) expect([...back[c]!]).to.deep.equal([...log[c]!]);
        expect(back.localPort).to.equal(undefined);
        expect(back.pods).to.deep.equal(log.pods);
        expect(back.lateStarts).to.equal(log.lateStarts);
        expect(back.expectStatus).to.deep.equal(log.expectStatus);
      }),
      { numRuns: 40 },
    );
  });

  it('a log missing a slice, or its end, is refused with ZDT_LOAD saying what is missing', () => {
    const lines = [...encodeLog(logOf(2500, 1), 1000)];
    const withoutSlice = new LogAssembler();
    for (const m of lines.filter((m) => !(m.zdt === 'records' && m.from === 1000))) withoutSlice.accept(m);
    expect(() => withoutSlice.log()).to.throw(/1500 of 2500 records came/).with.property('code', 'ZDT_LOAD');
    const withoutEnd = new LogAssembler();
    for (const m of lines.slice(0, -1)) withoutEnd.accept(m);
    expect(() => withoutEnd.log()).to.throw(/and no end/);
  });

  it('lines that are not the pod\'s messages (a runtime warning) are not parsed as ours', () => {
    expect(parsePodLine('(node:1) Warning: something')).to.equal(undefined);
    expect(parsePodLine('{"zdt":"end"}')).to.deep.equal({ zdt: 'end' });
    expect(parsePodLine('{"zdt":"end"')).to.equal(undefined);
  });
});
