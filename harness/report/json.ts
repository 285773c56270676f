import type { Report } from '../verdict/report.ts';

/** The full reports, one per scenario, as indented JSON (report.json). */
export function renderJson(reports: readonly Report[]): string {
  return `${JSON.stringify({ reports }, null, 2)}\n`;
}
