import { expect } from 'chai';
import { shellScript, shellSyntaxError, withoutComments } from '../../harness/lint/shell.ts';

describe('lint shell helpers', () => {
  describe('shellScript finds the -c script of an exec array', () => {
    const cases: [string[], { shell: string; script: string } | undefined][] = [
      [['/bin/sh', '-c', 'sleep 5'], { shell: 'sh', script: 'sleep 5' }],
      [['bash', '-ec', 'sleep 5'], { shell: 'bash', script: 'sleep 5' }],
      [['/bin/dash', '-xc', 'sleep 5', 'name', 'arg'], { shell: 'dash', script: 'sleep 5' }],
      [['sh', '-e', '-c', 'sleep 5'], { shell: 'sh', script: 'sleep 5' }],
      [['sh', '-c', '-e', 'sleep 5'], { shell: 'sh', script: 'sleep 5' }],
      [['bash', '-euo', 'pipefail', '-c', 'sleep 5'], { shell: 'bash', script: 'sleep 5' }],
      [['bash', '--noprofile', '-o', 'errexit', '-c', 'sleep 5'], { shell: 'bash', script: 'sleep 5' }],
      [['sh', '-c', '--', '-not-an-option'], { shell: 'sh', script: '-not-an-option' }],
      [['/usr/bin/env', 'A=1', 'sh', '-c', 'sleep 5'], { shell: 'sh', script: 'sleep 5' }],
      [['busybox', 'sh', '-c', 'sleep 5'], { shell: 'sh', script: 'sleep 5' }],
      [['sh', '/drain.sh'], undefined],
      [['sh', '-c'], undefined],
      [['nginx', '-c', 'sleep 5'], undefined],
      [['sleep', '5'], undefined],
    ];
    for (const [command, expected] of cases) {
      it(JSON.stringify(command), () => expect(shellScript(command)).to.deep.equal(expected));
    }
  });

  it("shellSyntaxError returns the shell's message for a script that does not parse, undefined for one that does", () => {
    expect(shellSyntaxError({ shell: 'sh', script: 'echo a &; sleep 1' })).to.match(/Syntax error: ";" unexpected/);
    expect(shellSyntaxError({ shell: 'bash', script: 'echo a &; sleep 1' })).to.match(/syntax error near unexpected token/);
    expect(shellSyntaxError({ shell: 'sh', script: 'echo a & sleep 1\nnginx -s quit\n' })).to.equal(undefined);
    expect(shellSyntaxError({ shell: 'bash', script: 'a=(1 2); [[ -n $a ]] && sleep 1' })).to.equal(undefined);
  });

  it('shellSyntaxError leaves shells it cannot run unjudged', () => {
    expect(shellSyntaxError({ shell: 'no-such-shell-zdt', script: '&;' })).to.equal(undefined);
  });

  it('withoutComments drops # comments outside quotes only', () => {
    expect(withoutComments('nginx -s quit # sleep 15\nsleep 2')).to.equal('nginx -s quit \nsleep 2');
    expect(withoutComments(`echo '# x' "a # b" \\# $# x#y`)).to.equal(`echo '# x' "a # b" \\# $# x#y`);
    expect(withoutComments('# sleep 15')).to.equal('');
  });
});
