import * as core from '@actions/core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../log.js';
import type { Mode } from '../inputs.js';

export type Verdict = 'ok' | 'drift' | 'warning';

/** One row of the table: one repository, both sides of the cross-account pull. */
export interface RepositoryRow {
  repository: string;
  /** Repository-policy side, e.g. "ok", "granted", "missing", "not checked". */
  grant: string;
  /** Identity-policy side, e.g. "allowed", "missing", "conditional", "not checked". */
  identity: string;
  digest?: string;
  verdict: Verdict;
  /** What is wrong and the exact fix, one line each. */
  findings: string[];
}

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
  rows: RepositoryRow[];
  missing: string[];
  extra: string[];
  warnings: string[];
  policyChanges: PolicyChange[];
  image?: { digest: string; imageUri: string; tags: string[]; repositoryArn: string };
  /** reconcile: the plan as printed. */
  plan?: string[];
}

export function emptyReport(mode: Mode, region: string): RunReport {
  return { mode, region, rows: [], missing: [], extra: [], warnings: [], policyChanges: [] };
}

/** A fixed-width text table: Gitea (before 1.27) shows no step summary, so the log carries it too. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const HEADER = ['repository', 'grant', 'identity', 'digest', 'verdict'];

function tableRows(report: RunReport): string[][] {
  return report.rows.map((row) => [row.repository, row.grant, row.identity, row.digest ? row.digest.slice(0, 19) : '-', row.verdict]);
}

/** Writes the JSON report and every output; prints the table to the log and the step summary. */
export async function emitReport(report: RunReport, tempDir: string): Promise<string> {
  const reportPath = join(tempDir, `publish-image-report-${process.pid}-${Date.now()}.json`);
  writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);

  const drift = report.missing.length > 0 || report.rows.some((row) => row.verdict === 'drift');
  if (report.rows.length > 0) log.info(`\n${formatTable(HEADER, tableRows(report))}\n`);
  // Gitea shows no annotations: the logger also writes every finding as a plain log line.
  for (const row of report.rows) {
    for (const finding of row.findings) {
      (row.verdict === 'drift' ? log.error : log.warning)(`${row.repository}: ${finding}`, `publish-image: ${row.repository}`);
    }
  }
  for (const warning of report.warnings) log.warning(warning);
  log.info(`Report: ${reportPath}`);

  if (report.image) {
    core.setOutput('digest', report.image.digest);
    core.setOutput('image-uri', report.image.imageUri);
    core.setOutput('tags', report.image.tags.join('\n'));
    core.setOutput('repository-arn', report.image.repositoryArn);
  }
  core.setOutput('repository-policy-changed', String(report.policyChanges.some((change) => change.target.startsWith('repository:') && change.written)));
  core.setOutput('drift', String(drift));
  core.setOutput('missing', JSON.stringify(report.missing));
  core.setOutput('extra', JSON.stringify(report.extra));
  core.setOutput('report', reportPath);

  if (process.env.GITHUB_STEP_SUMMARY) {
    const summary = core.summary.addHeading(`publish-image: ${report.mode}`, 3);
    if (report.image) summary.addRaw(`Pushed <code>${report.image.imageUri}</code>`, true);
    if (report.plan) summary.addCodeBlock(report.plan.join('\n'));
    if (report.rows.length > 0) {
      summary.addTable([
        HEADER.map((data) => ({ data, header: true })),
        ...tableRows(report),
      ]);
    }
    const findings = report.rows.flatMap((row) => row.findings.map((finding) => `${row.repository}: ${finding}`));
    if (findings.length + report.warnings.length > 0) summary.addList([...findings, ...report.warnings]);
    await summary.write();
  }
  return reportPath;
}
