import { stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { ErrorCode, ZdtError } from '../errors.ts';
import { formatJson, formatSarif, formatText, summarize } from '../lint/format.ts';
import { lintDirectory } from '../lint/lint.ts';
import { addChartOptions, renderOptionsOf, type ChartFlags } from './chart.ts';
import { exampleArgument } from './example.ts';
import { ExitCode, reportError } from './exit.ts';
import type { CommandContext } from './io.ts';

interface LintFlags extends ChartFlags {
  format: 'text' | 'json' | 'sarif';
  output?: string;
}

/** `zdt lint [dir]`: static zero-downtime checks, no cluster. Exit 1 on any error-severity finding. */
export function registerLint(program: Command, { io, exit }: CommandContext): void {
  const command = program
    .command('lint')
    .description('check manifests for zero-downtime problems without a cluster')
    .addArgument(exampleArgument())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--output <file>', 'write the findings to a file instead of stdout');
  addChartOptions(command).action(async (dir: string, flags: LintFlags) => {
    try {
      const findings = await lintDirectory(dir, { render: renderOptionsOf(flags, io.signal) });
      let text: string;
      if (flags.format === 'json') text = formatJson(findings);
      else if (flags.format === 'sarif') text = formatSarif(findings, { baseDir: (await stat(dir)).isDirectory() ? dir : dirname(dir) });
      else text = formatText(findings);
      if (flags.output === undefined) io.stdout.write(text);
      else await writeOutput(flags.output, text);
      exit(summarize(findings).errors > 0 ? ExitCode.Fail : ExitCode.Pass);
    } catch (err) {
      exit(reportError(io, err));
    }
  });
}

async function writeOutput(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (err) {
    throw new ZdtError(ErrorCode.InvalidOption, `--output ${file}: ${(err as Error).message}`, { cause: err, details: { option: 'output', value: file } });
  }
}
