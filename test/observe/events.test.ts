import { expect } from 'chai';
import { endpointSubject, parseEndpointSubject } from '../../harness/observe/events.ts';

describe('observe: endpoint event subjects', () => {
  it('reads back the Service and address it was built from, IPv6 included, and nothing from other subjects', () => {
    for (const [service, address] of [['web', '10.244.1.5'], ['api-v2', 'fd00:10:244::5']] as const) {
      expect(parseEndpointSubject(endpointSubject(service, address))).to.deep.equal({ service, address });
    }
    for (const subject of ['pod/web-a', 'node/zdt-worker', 'endpoint/10.244.1.5', 'endpoint//10.244.1.5']) expect(parseEndpointSubject(subject), subject).to.equal(undefined);
  });
});
