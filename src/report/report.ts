import * as core from '@actions/core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NotChecked, RepositoryVerdict, RoleVerdict } from '../checks/model.js';
import { inert, log } from '../log.js';
import { roleNameOf } from '../policy/arn.js';
import { loginFindings, notCheckedText, repositoryFindings, type FixSettings } from './findings.js';
import type { Mode, OnExtra } from '../inputs.js';
import { escapeHtml } from '../util/html.js';

/** A change this run made (or would make) to a policy, with both documents so it can be undone by hand. */
export interface PolicyChange {
  target: string;
  before: unknown;
  after: unknown;
  written: boolean;
  /** A later write of the same run failed and this one was put back as it was. */
  rolledBack?: boolean;
}

export interface RunReport {
  mode: Mode;
  registryId?: string;
  region: string;
  /** What the fixes are made of (the role, the allowlist policy, our Sid, the pull actions). */
  settings?: FixSettings;
  /** One verdict per expected repository. */
  repositories: RepositoryVerdict[];
  /** The pulling role itself: whether it was found, and whether it may log in. */
  role?: RoleVerdict;
  /** Expected repositories that staging cannot pull (any side, or the login). */
  missing: string[];
  /** Repositories the allowlist names that nothing expects (manifest runs), and what on-extra says of them. */
  extra: string[];
  onExtra?: OnExtra;
  /** What the verdict could not take into account (said once). */
  notChecked: NotChecked[];
  warnings: string[];
  policyChanges: PolicyChange[];
  /** publish: what was pushed. `registry` is the registry host (as amazon-ecr-login's output); `imageId` and `metadata` as build-push-action's. */
  image?: { digest: string; imageUri: string; tags: string[]; repositoryArn: string; registry?: string; imageId?: string; metadata?: string };
  /** reconcile: the plan, and whether it changes anything. */
  plan?: { changes: boolean; text: string[] };
}

export function emptyReport(mode: Mode, region: string): RunReport {
  return { mode, region, repositories: [], missing: [], extra: [], notChecked: [], warnings: [], policyChanges: [] };
}

/** Drift fails the job: a repository staging cannot pull, or (on-extra: fail) an extra. */
export function hasDrift(report: RunReport): boolean {
  return report.missing.length > 0 || report.repositories.some((verdict) => verdict.drift) || (report.onExtra === 'fail' && report.extra.length > 0);
}

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
    for (const message of loginFindings(report.role.login, report.settings)) findings.push({ subject: `role ${roleNameOf(report.role.roleArn)}`, severity: 'error', message });
  }
  if (report.extra.length > 0 && report.onExtra && report.onExtra !== 'ignore') {
    const message = `the allowlist names ${report.extra.length} repositor${report.extra.length === 1 ? 'y' : 'ies'} that the manifest does not expect: ${report.extra.map((name) => inert(name, 256)).join(', ')}. Remove them (mode: reconcile with prune: true), or add them to the manifest or extra-repositories.`;
    findings.push({ subject: '', severity: report.onExtra === 'fail' ? 'error' : 'warning', message });
  }
  for (const item of report.notChecked) findings.push({ subject: 'not checked', severity: 'warning', message: notCheckedText(item) });
  for (const warning of report.warnings) findings.push({ subject: '', severity: 'warning', message: warning });
  return findings;
}

/** A fixed-width text table: Gitea (before 1.27) shows no step summary, so the log carries it too. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const HEADER = ['repository', 'grant', 'identity', 'digest', 'verdict'];

export function tableRows(report: RunReport): string[][] {
  return report.repositories.map((verdict) => [
    verdict.repository,
    grantLabel(verdict),
    identityLabel(verdict, report.role),
    verdict.digest ? verdict.digest.slice(0, 19) : '-',
    verdict.drift ? 'drift' : 'ok',
  ]);
}

/** Writes the JSON report and every output; prints the table to the log and the step summary. */
export async function emitReport(report: RunReport, tempDir: string): Promise<string> {
  // The report holds every policy document read: readable by the runner's user only. RUNNER_TEMP is
  // the job's own folder; without it (not on a runner), a fresh private folder, never /tmp itself.
  const reportDir = process.env.RUNNER_TEMP ? tempDir : mkdtempSync(join(tempDir, 'publish-image-'));
  const reportPath = join(reportDir, `publish-image-report-${process.pid}-${Date.now()}.json`);
  writeFileSync(reportPath, `${JSON.stringify({ ...report, findings: renderFindings(report) }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });

  const drift = hasDrift(report);
  if (report.repositories.length > 0) log.info(`\n${formatTable(HEADER, tableRows(report))}\n`);
  // Gitea shows no annotations: the logger also writes every finding as a plain log line.
  const findings = renderFindings(report);
  for (const finding of findings) {
    const text = finding.subject ? `${finding.subject}: ${finding.message}` : finding.message;
    (finding.severity === 'error' ? log.error : log.warning)(text, finding.subject ? `publish-image: ${finding.subject}` : undefined);
  }
  log.info(`Report: ${reportPath}`);

  if (report.image) {
    core.setOutput('digest', report.image.digest);
    core.setOutput('image-uri', report.image.imageUri);
    core.setOutput('tags', report.image.tags.join('\n'));
    core.setOutput('repository-arn', report.image.repositoryArn);
    if (report.image.registry) core.setOutput('registry', report.image.registry);
    if (report.image.imageId) core.setOutput('imageid', report.image.imageId);
    if (report.image.metadata) core.setOutput('metadata', report.image.metadata);
  }
  core.setOutput('repository-policy-changed', String(report.policyChanges.some((change) => change.target.startsWith('repository:') && change.written)));
  core.setOutput('drift', String(drift));
  core.setOutput('missing', JSON.stringify(report.missing));
  core.setOutput('extra', JSON.stringify(report.extra));
  core.setOutput('report', reportPath);

  if (process.env.GITHUB_STEP_SUMMARY) {
    const summary = core.summary.addHeading(`publish-image: ${report.mode}`, 3);
    if (report.image) summary.addRaw(`Pushed <code>${escapeHtml(report.image.imageUri)}</code>`, true);
    if (report.plan) summary.addCodeBlock(escapeHtml(report.plan.text.join('\n')));
    if (report.repositories.length > 0) {
      summary.addTable([
        HEADER.map((data) => ({ data, header: true })),
        ...tableRows(report).map((row) => row.map(escapeHtml)),
      ]);
    }
    if (findings.length > 0) summary.addList(findings.map((finding) => escapeHtml(finding.subject ? `${finding.subject}: ${finding.message}` : finding.message)));
    await summary.write();
  }
  return reportPath;
}
