import * as core from '@actions/core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../log.js';
import { hasDrift, type RunReport } from '../report/model.js';
import { formatTable, renderFindings, verdictTable } from '../report/render.js';
import { escapeHtml } from '../util/html.js';
import { safeJson } from '../util/inert.js';
import { matrixJson, planLines, reportJson } from '../report/json.js';

/**
 * `drift` and `missing` of a run that failed: it proved no cell pullable, so it never says "in
 * sync". `missing` lists every repository it had to prove (with what the report already names);
 * unknown (an unreadable manifest): what the report names.
 */
export function failedRunOutputs(unproven: string[] | undefined, report?: RunReport): void {
  core.setOutput('drift', 'true');
  core.setOutput('missing', safeJson([...new Set([...(report?.missing ?? []), ...(unproven ?? [])])].sort()));
}

/** Writes the JSON report and every output; prints the table to the log and the step summary. A failed run's `drift` and `missing` follow `failedRunOutputs`. */
export async function emitReport(report: RunReport, tempDir: string, failed?: { unproven: string[] | undefined }): Promise<string> {
  // The report holds every policy document read: readable by the runner's user only. RUNNER_TEMP is
  // the job's own folder; without it (not on a runner), a fresh private folder, never /tmp itself.
  const reportDir = process.env.RUNNER_TEMP ? tempDir : mkdtempSync(join(tempDir, 'publish-image-'));
  const reportPath = join(reportDir, `publish-image-report-${process.pid}-${Date.now()}.json`);
  writeFileSync(reportPath, `${reportJson(report)}\n`, { mode: 0o600, flag: 'wx' });

  const drift = hasDrift(report);
  const table = verdictTable(report);
  if (report.repositories.length > 0) log.info(`\n${formatTable(table.header, table.rows)}\n`);
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
  core.setOutput('repository-policy-changed', String(report.policyChanges.some((change) => change.target.kind === 'repository' && change.written)));
  if (failed) failedRunOutputs(failed.unproven, report);
  else {
    core.setOutput('drift', String(drift));
    // Extras are stored text: JSON with every control and bidi character escaped (it parses back exactly).
    core.setOutput('missing', safeJson(report.missing));
  }
  core.setOutput('extra', safeJson(report.extra));
  if (report.pullers.length > 0) core.setOutput('matrix', matrixJson(report));
  core.setOutput('report', reportPath);

  if (process.env.GITHUB_STEP_SUMMARY) {
    const summary = core.summary.addHeading(`publish-image: ${report.mode}`, 3);
    if (report.image) summary.addRaw(`Pushed <code>${escapeHtml(report.image.imageUri)}</code>`, true);
    const plan = planLines(report);
    if (plan) summary.addCodeBlock(escapeHtml(plan.join('\n')));
    if (report.repositories.length > 0) {
      summary.addTable([table.header.map((data) => ({ data, header: true })), ...table.rows.map((row) => row.map(escapeHtml))]);
    }
    if (findings.length > 0)
      summary.addList(findings.map((finding) => escapeHtml(finding.subject ? `${finding.subject}: ${finding.message}` : finding.message)));
    await summary.write();
  }
  return reportPath;
}
