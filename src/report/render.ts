import type { RepositoryVerdict, RoleVerdict } from '../domain/checks/model.js';
import { regionOf, roleNameOf } from '../domain/arn.js';
import { inert } from '../util/inert.js';
import { changeBreaksText, loginFindings, notCheckedText, repositoryFindings, warningText } from './findings.js';
import type { PullerReport, RunReport } from './model.js';

/** The report in words and tables: the same for the runner's log, the step summary and the terminal. */
function grantLabel(verdict: RepositoryVerdict): string {
  if (verdict.replica?.kind === 'not-replicated') return 'not replicated';
  if (verdict.replica?.kind === 'not-checked') return 'not checked';
  if (verdict.replica?.kind === 'no-source') return 'no repository';
  if (!verdict.exists) return 'no repository';
  const replication = verdict.replica?.kind === 'replica' ? verdict.replica.replication : undefined;
  if (replication && replication.status !== 'allowed') return `replication ${replication.status}`;
  if (verdict.replica?.kind === 'replica' && !verdict.replica.created && verdict.grant?.status === 'allowed' && !verdict.grant.coveredBy)
    return 'ok (template)';
  if (!verdict.grant) return verdict.grantWritten ? 'granted' : 'not checked';
  if (verdict.grant.status !== 'allowed') return verdict.grant.status;
  if (verdict.stalePrincipals.length > 0) return 'stale principal';
  if (verdict.ownStatement) return 'widened';
  if (verdict.grant.coveredBy) return 'not needed';
  return verdict.grantWritten ? 'granted' : 'ok';
}

function identityLabel(verdict: RepositoryVerdict, role: RoleVerdict | undefined): string {
  if (role?.problem) return 'missing';
  if (!verdict.identity) return 'not checked';
  if (verdict.identity.status !== 'allowed') return verdict.identity.status;
  if (role?.login && role.login.status !== 'allowed') return 'no login';
  if (verdict.identity.coveredBy) return 'via grant';
  return verdict.allowlistAdded ? 'added' : 'allowed';
}

/** A finding as every renderer shows it: whom it is about, how bad, what to do. */
export interface RenderedFinding {
  subject: string;
  severity: 'error' | 'warning';
  message: string;
}

/** The puller's role as judged in one region: its login there (ecr:GetAuthorizationToken is asked of that region). */
function roleIn(puller: PullerReport, region: string): RoleVerdict {
  const here = puller.logins.find((login) => login.region === region);
  return here ? { ...puller.role, login: here.login } : puller.role;
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
  for (const verdict of brokenByChange(report)) {
    findings.push({ subject: subjectOf(report, verdict), severity: 'error', message: changeBreaksText(verdict, report.proposed?.file ?? '') });
  }
  const byName = new Map(report.pullers.map((puller) => [puller.name, puller]));
  for (const verdict of report.repositories) {
    const puller = verdict.puller === undefined ? undefined : byName.get(verdict.puller);
    const messages = puller ? repositoryFindings(verdict, roleIn(puller, regionOf(verdict.arn)), puller.settings) : [];
    for (const message of messages) findings.push({ subject: subjectOf(report, verdict), severity: verdict.drift ? 'error' : 'warning', message });
  }
  for (const puller of report.pullers) {
    for (const { region, login } of puller.logins) {
      if (!login || login.status === 'allowed') continue;
      const where = region !== report.region ? ` in ${region}` : '';
      for (const message of loginFindings(login, puller.settings))
        findings.push({ subject: `role ${roleNameOf(puller.role.roleArn)}${where}`, severity: 'error', message });
    }
    if (puller.extra.length > 0 && report.onExtra && report.onExtra !== 'ignore') {
      const whose = report.pullers.length > 1 ? `the allowlist of ${inert(puller.name, 64)}` : 'the allowlist';
      const message = `${whose} names ${puller.extra.length} repositor${puller.extra.length === 1 ? 'y' : 'ies'} that the manifest does not expect${report.pullers.length > 1 ? ' of it' : ''}: ${puller.extra.map((name) => inert(name, 256)).join(', ')}. Remove them (mode: reconcile with prune: true), or ${report.pullers.length > 1 ? `add them to this puller's repositories patterns (the pullers input)` : 'add them to the manifest or extra-repositories'}.`;
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

/** The image column (issue 26): its state, `conditional`, or `-` (no image to judge); a lifecycle warning is said beside. */
export function imageLabel(verdict: RepositoryVerdict): string {
  const image = verdict.image;
  if (!image) return '-';
  const state = image.status === 'conditional' ? 'conditional' : image.state;
  return image.warnings.length > 0 ? `${state}, expires soon` : state;
}

/** The verdict table: one row per repository, or (several pullers or regions) per puller, region and repository, grouped. */
export function verdictTable(report: RunReport): { header: string[]; rows: string[][] } {
  const pullers = new Map(report.pullers.map((puller) => [puller.name, puller]));
  const cells = (verdict: RepositoryVerdict): string[] => [
    verdict.repository,
    grantLabel(verdict),
    identityLabel(verdict, roleFor(pullers, verdict)),
    verdict.digest ? verdict.digest.slice(0, 19) : '-',
    verdict.drift ? 'drift' : 'ok',
  ];
  // With a proposed change, each row also says what the cell is now: the gate judges the state after apply.
  const live = liveVerdicts(report);
  // The image column last, and only when some cell judged an image: a table without images reads as before.
  const images = report.repositories.some((verdict) => verdict.image !== undefined);
  const withLive = (verdict: RepositoryVerdict): string[] => {
    const row = cells(verdict);
    const judged = live ? [...row.slice(0, -1), live.get(cellKey(verdict)) ?? '-', row[row.length - 1]] : row;
    return images ? [...judged, imageLabel(verdict)] : judged;
  };
  const judgedHeader = live ? [...HEADER.slice(0, -1), 'now', 'after change'] : HEADER;
  const header = images ? [...judgedHeader, 'image'] : judgedHeader;
  if (!isMatrix(report)) return { header, rows: report.repositories.map(withLive) };
  // Grouped: a puller's name and a region are written once, on the first row of their group.
  const rows: string[][] = [];
  let previous: string[] = [];
  for (const verdict of report.repositories) {
    const group = [inert(verdict.puller ?? '-', 64), regionOf(verdict.arn)];
    const shown = group.map((value, column) => (group.slice(0, column + 1).join('\u0000') === previous.slice(0, column + 1).join('\u0000') ? '' : value));
    rows.push([...shown, ...withLive(verdict)]);
    previous = group;
  }
  return { header: ['puller', 'region', ...header], rows };
}

function roleFor(pullers: Map<string, PullerReport>, verdict: RepositoryVerdict): RoleVerdict | undefined {
  const puller = verdict.puller === undefined ? undefined : pullers.get(verdict.puller);
  return puller && roleIn(puller, regionOf(verdict.arn));
}

const cellKey = (verdict: RepositoryVerdict): string => `${verdict.puller ?? ''}\u0000${verdict.arn}`;

/** With a proposed change: each cell's verdict as AWS holds it now ('ok' or 'drift'). */
function liveVerdicts(report: RunReport): Map<string, string> | undefined {
  if (!report.proposed) return undefined;
  return new Map(report.proposed.live.map((verdict) => [cellKey(verdict), verdict.drift ? 'drift' : 'ok']));
}

/** Cells a proposed change would break: pullable now, not after apply. */
export function brokenByChange(report: RunReport): RepositoryVerdict[] {
  const live = liveVerdicts(report);
  if (!live) return [];
  return report.repositories.filter((verdict) => verdict.drift && live.get(cellKey(verdict)) === 'ok');
}
