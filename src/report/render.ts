import type { RepositoryVerdict, RoleVerdict } from '../domain/checks/model.js';
import { regionOf, roleNameOf } from '../domain/arn.js';
import { inert } from '../util/inert.js';
import { loginFindings, notCheckedText, repositoryFindings, warningText } from './findings.js';
import type { RunReport } from './model.js';

/** The report in words and tables: the same for the runner's log, the step summary and the terminal. */
function grantLabel(verdict: RepositoryVerdict): string {
  if (verdict.replica?.kind === 'not-replicated') return 'not replicated';
  if (verdict.replica?.kind === 'not-checked') return 'not checked';
  if (!verdict.exists) return 'no repository';
  if (verdict.replica?.kind === 'replica' && !verdict.replica.created && verdict.grant?.status === 'allowed') return 'ok (template)';
  if (!verdict.grant) return verdict.grantWritten ? 'granted' : 'not checked';
  if (verdict.grant.status !== 'allowed') return verdict.grant.status;
  if (verdict.stalePrincipals.length > 0) return 'stale principal';
  return verdict.grantWritten ? 'granted' : 'ok';
}

function identityLabel(verdict: RepositoryVerdict, role: RoleVerdict | undefined): string {
  if (role?.problem) return 'missing';
  if (!verdict.identity) return 'not checked';
  if (verdict.identity.status !== 'allowed') return verdict.identity.status;
  if (role?.login && role.login.status !== 'allowed') return 'no login';
  return verdict.allowlistAdded ? 'added' : 'allowed';
}

/** A finding as every renderer shows it: whom it is about, how bad, what to do. */
export interface RenderedFinding {
  subject: string;
  severity: 'error' | 'warning';
  message: string;
}

/** Several pullers or regions: every row and finding says which puller, and where, it is about. */
function isMatrix(report: RunReport): boolean {
  return report.pullers.length > 1 || report.repositories.some((verdict) => regionOf(verdict.arn) !== report.region);
}

/** Whom a repository's finding is about: the repository, and in a matrix the puller and region. */
function subjectOf(report: RunReport, verdict: RepositoryVerdict): string {
  if (!isMatrix(report)) return verdict.repository;
  const region = regionOf(verdict.arn);
  return `${verdict.repository} (${inert(verdict.puller ?? '-', 64)}${region !== report.region ? ` in ${region}` : ''})`;
}

/** Every finding of the report in words, errors first. */
export function renderFindings(report: RunReport): RenderedFinding[] {
  const findings: RenderedFinding[] = [];
  const byName = new Map(report.pullers.map((puller) => [puller.name, puller]));
  for (const verdict of report.repositories) {
    const puller = verdict.puller === undefined ? undefined : byName.get(verdict.puller);
    const messages = puller ? repositoryFindings(verdict, puller.role, puller.settings) : [];
    for (const message of messages) findings.push({ subject: subjectOf(report, verdict), severity: verdict.drift ? 'error' : 'warning', message });
  }
  for (const puller of report.pullers) {
    const { login } = puller.role;
    if (login && login.status !== 'allowed') {
      for (const message of loginFindings(login, puller.settings))
        findings.push({ subject: `role ${roleNameOf(puller.role.roleArn)}`, severity: 'error', message });
    }
    if (puller.extra.length > 0 && report.onExtra && report.onExtra !== 'ignore') {
      const whose = report.pullers.length > 1 ? `the allowlist of ${inert(puller.name, 64)}` : 'the allowlist';
      const message = `${whose} names ${puller.extra.length} repositor${puller.extra.length === 1 ? 'y' : 'ies'} that the manifest does not expect${report.pullers.length > 1 ? ' of it' : ''}: ${puller.extra.map((name) => inert(name, 256)).join(', ')}. Remove them (mode: reconcile with prune: true), or add them to the manifest or extra-repositories.`;
      findings.push({ subject: '', severity: report.onExtra === 'fail' ? 'error' : 'warning', message });
    }
  }
  for (const item of report.notChecked) findings.push({ subject: 'not checked', severity: 'warning', message: notCheckedText(item) });
  for (const warning of report.warnings) findings.push({ subject: '', severity: 'warning', message: warningText(warning) });
  return findings;
}

/** A fixed-width text table: Gitea (before 1.27) shows no step summary, so the log carries it too. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const HEADER = ['repository', 'grant', 'identity', 'digest', 'verdict'];

/** The verdict table: one row per repository, or (several pullers or regions) per puller, region and repository, grouped. */
export function verdictTable(report: RunReport): { header: string[]; rows: string[][] } {
  const roles = new Map(report.pullers.map((puller) => [puller.name, puller.role]));
  const cells = (verdict: RepositoryVerdict): string[] => [
    verdict.repository,
    grantLabel(verdict),
    identityLabel(verdict, verdict.puller === undefined ? undefined : roles.get(verdict.puller)),
    verdict.digest ? verdict.digest.slice(0, 19) : '-',
    verdict.drift ? 'drift' : 'ok',
  ];
  if (!isMatrix(report)) return { header: HEADER, rows: report.repositories.map(cells) };
  // Grouped: a puller's name and a region are written once, on the first row of their group.
  const rows: string[][] = [];
  let previous: string[] = [];
  for (const verdict of report.repositories) {
    const group = [inert(verdict.puller ?? '-', 64), regionOf(verdict.arn)];
    const shown = group.map((value, column) => (group.slice(0, column + 1).join('\u0000') === previous.slice(0, column + 1).join('\u0000') ? '' : value));
    rows.push([...shown, ...cells(verdict)]);
    previous = group;
  }
  return { header: ['puller', 'region', ...HEADER], rows };
}
