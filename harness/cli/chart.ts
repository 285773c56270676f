import type { Command } from 'commander';
import type { RenderOptions } from '../manifests/render.ts';

/** `helm template`'s own flags, for a chart directory (harness/manifests/render.ts). */
export interface ChartFlags {
  values: string[];
  set: string[];
  setString: string[];
  setFile: string[];
  setJson: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds -f/--values and Helm's --set flags, each repeatable and applied in order, as Helm takes them. */
export function addChartOptions(command: Command): Command {
  return command
    .option('-f, --values <file>', 'with a Helm chart: a values file, as helm template -f takes it (repeatable; later files win)', collect, [])
    .option('--set <key=value>', 'with a Helm chart: a value, as helm template --set takes it (repeatable, applied after --values)', collect, [])
    .option('--set-string <key=value>', 'with a Helm chart: a value kept a string, as helm template --set-string takes it (repeatable)', collect, [])
    .option('--set-file <key=path>', "with a Helm chart: a value read from a file, as helm template --set-file takes it (repeatable)", collect, [])
    .option('--set-json <key=json>', 'with a Helm chart: a JSON value, as helm template --set-json takes it (repeatable)', collect, []);
}

export const renderOptionsOf = (flags: ChartFlags, signal?: AbortSignal): RenderOptions => ({
  values: flags.values,
  set: flags.set,
  setString: flags.setString,
  setFile: flags.setFile,
  setJson: flags.setJson,
  signal,
});
