import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { DEFAULT_KIND_CONFIG, resolveClusterOptions } from '../../harness/cluster/cluster.ts';
import { kindConfigWithMode, unsupportedReason, type KernelFacts } from '../../harness/cluster/proxy-mode.ts';

const kernel = (release: string, config?: string, paths: string[] = []): KernelFacts => ({ release, config, exists: (p) => paths.includes(p) });

describe('cluster: kube-proxy modes', () => {
  it('runs iptables anywhere, nftables from kernel 5.13 with nf_tables, ipvs only with IPVS in the kernel', () => {
    expect(unsupportedReason('iptables', kernel('4.19.0'))).to.equal(undefined);
    expect(unsupportedReason('nftables', kernel('5.10.0-28-amd64'))).to.equal("kernel 5.10.0-28-amd64 is older than 5.13, which kube-proxy's nftables mode needs");
    expect(unsupportedReason('nftables', kernel('6.1.0', 'CONFIG_NF_TABLES=m\n'))).to.equal(undefined);
    expect(unsupportedReason('nftables', kernel('6.1.0', '# CONFIG_NF_TABLES is not set\n'))).to.equal('kernel 6.1.0 was built without nf_tables (CONFIG_NF_TABLES)');
    expect(unsupportedReason('ipvs', kernel('6.1.0', 'CONFIG_NF_TABLES=y\n'))).to.equal('kernel 6.1.0 was built without IPVS (CONFIG_IP_VS)');
    expect(unsupportedReason('ipvs', kernel('6.1.0'))).to.equal('kernel 6.1.0 has no ip_vs module loaded or installed (modprobe ip_vs on the host)');
    expect(unsupportedReason('ipvs', kernel('6.1.0', undefined, ['/sys/module/ip_vs']))).to.equal(undefined);
    expect(unsupportedReason('ipvs', kernel('6.1.0', undefined, ['/lib/modules/6.1.0/kernel/net/netfilter/ipvs']))).to.equal(undefined);
  });

  it("writes a copy of the kind config with kind's networking.kubeProxyMode and the mode's cluster name, keeping the rest", async () => {
    const path = await kindConfigWithMode(DEFAULT_KIND_CONFIG, 'nftables', 'zdt-nftables');
    try {
      const [copy, original] = [await readFile(path, 'utf8'), await readFile(DEFAULT_KIND_CONFIG, 'utf8')];
      expect(parse(copy)).to.deep.equal({ ...parse(original), name: 'zdt-nftables', networking: { kubeProxyMode: 'nftables' } });
      expect(copy, 'comments kept').to.include('# zdt\'s default cluster');
    } finally {
      await rm(dirname(path), { recursive: true, force: true });
    }
  });

  it('refuses a mode for a cluster it attaches to', () => {
    expect(() => resolveClusterOptions({ kubeconfig: 'k', kubeProxyMode: 'ipvs' })).to.throw(/kubeProxyMode ipvs applies to a kind cluster zdt creates/);
  });
});
