import { expect } from 'chai';
import { parseConntrackEvents } from '../../harness/observe/conntrack.ts';

// As `conntrack -E -e NEW -p tcp --orig-dst 172.18.0.4 -o timestamp` prints them in a kind node (conntrack-tools 1.4.7).
const OUTPUT = [
  '[1765033181.512345]\t    [NEW] tcp      6 120 SYN_SENT src=172.18.0.1 dst=172.18.0.4 sport=41234 dport=30080 [UNREPLIED] src=10.244.1.5 dst=10.244.0.0 sport=80 dport=47519',
  '[1765033181.600001]\t    [NEW] tcp      6 120 SYN_SENT src=172.18.0.1 dst=172.18.0.4 sport=41236 dport=30081 [UNREPLIED] src=10.244.2.7 dst=172.18.0.4 sport=8080 dport=41236',
  'conntrack v1.4.7 (conntrack-tools): 2 flow events have been shown.',
  '[1765033182.000000]\t [NEW] udp      17 30 src=10.244.0.2 dst=10.96.0.10 sport=5353 dport=53 [UNREPLIED] src=10.244.0.3 dst=10.244.0.2 sport=53 dport=5353',
  '',
].join('\n');

describe('observe/conntrack', () => {
  it('reads the client port and NodePort of the original tuple and the backend of the reply tuple, with the time in ms', () => {
    const events = parseConntrackEvents(OUTPUT);
    expect(events).to.have.length(2);
    expect(events[0]).to.deep.include({ sport: 41234, dport: 30080, backend: '10.244.1.5' });
    expect(events[0]!.wallMs).to.be.closeTo(1765033181512.345, 0.001);
    expect(events[1]).to.deep.include({ sport: 41236, dport: 30081, backend: '10.244.2.7' });
  });

  it('skips what is not a new TCP connection: summaries, warnings, UDP', () => {
    expect(parseConntrackEvents('WARNING: We have hit ENOBUFS!\nconntrack v1.4.7 (conntrack-tools): 0 flow events have been shown.\n')).to.deep.equal([]);
  });
});
