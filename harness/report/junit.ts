import { formatReport } from '../verdict/format.ts';
import type { Report } from '../verdict/report.ts';
import { escapeMarkup, escapeXmlAttr } from './escape.ts';

/**
 * JUnit XML (junit.xml): one <testcase> per scenario. A failed one carries the formatted report in
 * <failure>; an inconclusive one in <error>, JUnit's "could not be judged", so CI shows it red too.
 */
export function renderJunit(reports: readonly Report[]): string {
  const failures = reports.filter((r) => r.verdict === 'fail').length;
  const errors = reports.filter((r) => r.verdict === 'inconclusive').length;
  const time = reports.reduce((sum, r) => sum + seconds(r), 0);
  const suite = `tests="${reports.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time.toFixed(3)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="zdt" ${suite}>`,
    `  <testsuite name="zdt" ${suite}>`,
    ...reports.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(report: Report): string {
  const open = `    <testcase classname="zdt" name="${escapeXmlAttr(report.scenario)}" time="${seconds(report).toFixed(3)}"`;
  const text = escapeMarkup(formatReport(report));
  if (report.passed) return `${open}>\n      <system-out>${text}</system-out>\n    </testcase>`;
  const element = report.verdict === 'fail' ? 'failure' : 'error';
  return [
    `${open}>`,
    `      <${element} message="${escapeXmlAttr(report.problems.join('; '))}" type="zdt.${report.verdict}">${text}</${element}>`,
    '    </testcase>',
  ].join('\n');
}

function seconds(report: Report): number {
  return (report.window?.durationMs ?? 0) / 1000;
}
