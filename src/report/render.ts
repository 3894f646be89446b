import type { RepositoryVerdict, RoleVerdict } from '../domain/checks/model.js';
import { roleNameOf } from '../domain/arn.js';
import { inert } from '../util/inert.js';
import { loginFindings, notCheckedText, repositoryFindings, warningText } from './findings.js';
import type { RunReport } from './model.js';

/** The report in words and tables: the same for the runner's log, the step summary and the terminal. */
function grantLabel(verdict: RepositoryVerdict): string {
  if (!verdict.exists) return 'no repository';
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

/** Every finding of the report in words, errors first. */
export function renderFindings(report: RunReport): RenderedFinding[] {
  const findings: RenderedFinding[] = [];
  for (const verdict of report.repositories) {
    const messages = report.settings ? repositoryFindings(verdict, report.role, report.settings) : [];
    for (const message of messages) findings.push({ subject: verdict.repository, severity: verdict.drift ? 'error' : 'warning', message });
  }
  if (report.role?.login && report.settings && report.role.login.status !== 'allowed') {
    for (const message of loginFindings(report.role.login, report.settings))
      findings.push({ subject: `role ${roleNameOf(report.role.roleArn)}`, severity: 'error', message });
  }
  if (report.extra.length > 0 && report.onExtra && report.onExtra !== 'ignore') {
    const message = `the allowlist names ${report.extra.length} repositor${report.extra.length === 1 ? 'y' : 'ies'} that the manifest does not expect: ${report.extra.map((name) => inert(name, 256)).join(', ')}. Remove them (mode: reconcile with prune: true), or add them to the manifest or extra-repositories.`;
    findings.push({ subject: '', severity: report.onExtra === 'fail' ? 'error' : 'warning', message });
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

export const HEADER = ['repository', 'grant', 'identity', 'digest', 'verdict'];

export function tableRows(report: RunReport): string[][] {
  return report.repositories.map((verdict) => [
    verdict.repository,
    grantLabel(verdict),
    identityLabel(verdict, report.role),
    verdict.digest ? verdict.digest.slice(0, 19) : '-',
    verdict.drift ? 'drift' : 'ok',
  ]);
}
