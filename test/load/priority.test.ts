import { expect } from 'chai';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { autogroupNice, GENERATOR_NICE, holdSessionPriority, inRootCpuCgroup, type AutogroupFiles } from '../../harness/load/priority.ts';

describe('load/priority: the generator outranks the cluster where allowed', () => {
  it('finds the root cpu cgroup on cgroup v1, v2 and hybrid hosts, and nowhere else', () => {
    expect(inRootCpuCgroup('4:memory:/process_api/9e9c\n1:cpu:/\n0::/\n')).to.equal(true);
    expect(inRootCpuCgroup('3:cpu,cpuacct:/\n')).to.equal(true);
    expect(inRootCpuCgroup('3:cpuacct,cpu:/user.slice\n')).to.equal(false);
    expect(inRootCpuCgroup('1:cpu:/docker/35fa/kubelet.slice\n0::/\n'), 'hybrid: the v1 cpu line decides').to.equal(false);
    expect(inRootCpuCgroup('3:cpuset:/\n2:cpuacct:/\n0::/user.slice/user-0.slice/session-1.scope\n'), 'cpuset and cpuacct are not cpu').to.equal(false);
    expect(inRootCpuCgroup('0::/\n')).to.equal(true);
    expect(inRootCpuCgroup('0::/system.slice/docker.service\n')).to.equal(false);
    expect(inRootCpuCgroup('')).to.equal(false);
  });

  it('reads an autogroup only where the kernel applies one: switched on, the initial cgroup namespace, the root cpu cgroup', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zdt-autogroup-'));
    try {
      const files = (o: { enabled?: string; namespace?: string; cgroup?: string; autogroup?: string }): AutogroupFiles => {
        const name = String(Math.random()).slice(2);
        const path = (f: string) => join(dir, `${name}.${f}`);
        writeFileSync(path('enabled'), o.enabled ?? '1\n');
        writeFileSync(path('cgroup'), o.cgroup ?? '0::/\n');
        writeFileSync(path('autogroup'), o.autogroup ?? '/autogroup-4 nice -3\n');
        symlinkSync(o.namespace ?? 'cgroup:[4026531835]', path('ns'));
        return { enabled: path('enabled'), cgroup: path('cgroup'), cgroupNamespace: path('ns'), autogroup: path('autogroup') };
      };
      expect(autogroupNice(files({}))).to.equal(-3);
      expect(autogroupNice(files({ enabled: '0\n' }))).to.equal(null);
      expect(autogroupNice(files({ namespace: 'cgroup:[4026532512]' })), 'a container shows its own root as "/"').to.equal(null);
      expect(autogroupNice(files({ cgroup: '0::/user.slice\n' }))).to.equal(null);
      expect(autogroupNice(files({ autogroup: 'garbage' }))).to.equal(null);
      expect(autogroupNice({ ...files({}), enabled: join(dir, 'missing') }), 'a kernel without autogroups').to.equal(null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('raises this session’s autogroup while held, by every holder, and puts it back when the last one releases', () => {
    const before = autogroupNice();
    const threadNice = getPriority();
    const first = holdSessionPriority();
    const second = holdSessionPriority();
    try {
      // Where the kernel has autogroups and this process may raise (CI runs as root), it is raised.
      if (before !== null && process.getuid?.() === 0) expect(first.nice).to.equal(Math.min(before, GENERATOR_NICE));
      else expect(first.nice).to.be.oneOf([before, GENERATOR_NICE]);
      expect(second.nice).to.equal(first.nice);
      first.release();
      first.release(); // twice is once
      expect(autogroupNice(), 'still held by the second').to.equal(first.nice);
    } finally {
      first.release();
      second.release();
    }
    expect(autogroupNice()).to.equal(before);
    expect(getPriority(), 'the thread’s own nice is not the session’s').to.equal(threadNice);
  });

  it('never lowers the priority of a session already above the asked nice', () => {
    const before = autogroupNice();
    const held = holdSessionPriority(19);
    try {
      expect(held.nice).to.equal(before);
    } finally {
      held.release();
    }
    expect(autogroupNice()).to.equal(before);
  });
});
