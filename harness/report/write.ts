import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../verdict/report.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';

export interface WrittenReports {
  readonly json: string;
  readonly junit: string;
  readonly html: string;
}

/** Writes report.json, junit.xml and report.html into `dir` (created if missing); returns their paths. */
export async function writeReports(dir: string, reports: readonly Report[]): Promise<WrittenReports> {
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, 'report.json'), junit: join(dir, 'junit.xml'), html: join(dir, 'report.html') };
  await Promise.all([
    writeFile(paths.json, renderJson(reports)),
    writeFile(paths.junit, renderJunit(reports)),
    renderHtml(reports).then((html) => writeFile(paths.html, html)),
  ]);
  return paths;
}
