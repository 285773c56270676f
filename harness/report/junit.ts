import { formatReport, formatService } from '../verdict/format.ts';
import { maintenanceProblem, type Report, type Verdict } from '../verdict/report.ts';
import { escapeMarkup, escapeXmlAttr } from './escape.ts';

/** One <testcase>: a scenario, or one Service of a scenario that loaded several. */
interface Case {
  readonly name: string;
  readonly verdict: Verdict;
  readonly problems: readonly string[];
  readonly seconds: number;
  readonly text: string;
}

/**
 * JUnit XML (junit.xml): one <testcase> per scenario and loaded Service ("parallel-drain" for a
 * single Service, "parallel-drain: Service api" for each of several). A failed one carries the
 * formatted report in <failure>; an inconclusive one in <error>, JUnit's "could not be judged",
 * so CI shows it red too.
 */
export function renderJunit(reports: readonly Report[]): string {
  const cases = reports.flatMap(casesOf);
  const failures = cases.filter((c) => c.verdict === 'fail').length;
  const errors = cases.filter((c) => c.verdict === 'inconclusive').length;
  const time = reports.reduce((sum, r) => sum + seconds(r), 0);
  const suite = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time.toFixed(3)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="zdt" ${suite}>`,
    `  <testsuite name="zdt" ${suite}>`,
    ...cases.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function casesOf(report: Report): Case[] {
  const text = formatReport(report);
  if (report.services.length < 2) return [{ name: report.scenario, verdict: report.verdict, problems: report.problems, seconds: seconds(report), text }];
  // A Service's case fails on its own requests; the maintenance is every Service's concern.
  const unfinished = maintenanceProblem(report.maintenance);
  return report.services.map((s) => {
    const problems = unfinished ? [...s.problems, unfinished] : s.problems;
    const verdict = unfinished ? 'fail' : s.verdict;
    return { name: `${report.scenario}: Service ${s.service}`, verdict, problems, seconds: seconds(report), text: `Service ${s.service} ${formatService(s)}\n\n${text}` };
  });
}

function testcase(c: Case): string {
  const open = `    <testcase classname="zdt" name="${escapeXmlAttr(c.name)}" time="${c.seconds.toFixed(3)}"`;
  const text = escapeMarkup(c.text);
  if (c.verdict === 'pass') return `${open}>\n      <system-out>${text}</system-out>\n    </testcase>`;
  const element = c.verdict === 'fail' ? 'failure' : 'error';
  return [
    `${open}>`,
    `      <${element} message="${escapeXmlAttr(c.problems.join('; '))}" type="zdt.${c.verdict}">${text}</${element}>`,
    '    </testcase>',
  ].join('\n');
}

function seconds(report: Report): number {
  return (report.window?.durationMs ?? 0) / 1000;
}
