import { errorMessage, UserError } from '../errors.js';
import { readSettings } from '../settings/settings.js';
import { assertNodeVersion, runMode } from '../modes/run.js';
import { hasDrift, type RunReport } from '../report/model.js';
import { flagList, parseFlags } from './flags.js';
import { formatTable, renderFindings, verdictTable } from '../report/render.js';
import { readRunContext } from '../settings/run-context.js';
import { planHasChanges } from '../domain/plan.js';
import { planLines, reportJson } from '../report/json.js';
import { documentsJson, documentsTerraform } from '../report/terraform.js';
import { setLogger } from '../log.js';
import { inert, plainLines, quoted, safeText } from '../util/inert.js';
import { readFileSync, statSync } from 'node:fs';

const PULLERS_FILE_MAX = 64 * 1024;
import { terminalLogger } from './terminal-logger.js';

const USAGE = `Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

The same checks as the action, from a terminal. Flags are the action's inputs that verify,
plan and reconcile read (the CLI builds and pushes nothing, so it takes no build input), e.g.
  publish-image verify --aws-region us-east-2 --registry-id 153263036946 \\
    --manifest manifest.json --repository-template 'molecule-ai/workspace-template-{name}' \\
    --extra-repositories molecule-ai/molecule-platform-agent \\
    --staging-role-arn arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging \\
    --staging-policy-name WorkspaceTemplatePrimaryECRPull
  publish-image verify --pullers @pullers.yml ...   several pulling roles, from a file
  publish-image verify --pullers="$(cat pullers.yml)" ...   or the list itself
  publish-image plan ...        reconcile's plan only (dry run)
  publish-image plan --format terraform|json ...   the documents reconcile owns, as code to commit
  publish-image reconcile ...   apply it (--prune also removes extras)

Credentials and endpoints come from the usual AWS variables (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...).
--json prints the report as JSON on stdout (logs go to stderr).
Exit status: 0 in sync, 2 drift (or, for plan as text, changes to make), 1 error;
plan --format terraform|json prints the documents and exits 0 unless it fails.

Inputs: ${flagList()}`;

/** `--pullers @file`: the list from a file (a terminal's way; the action takes it inline). Bounded before it is read. */
function readPullersFile(path: string): string {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new UserError(`--pullers: ${quoted(path)} is not a regular file. Give @<path> of a YAML list of pullers.`);
    size = stats.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`--pullers: ${quoted(path)} cannot be read. Give @<path> of a YAML list of pullers, or the list itself.`);
  }
  if (size > PULLERS_FILE_MAX) throw new UserError(`--pullers: ${quoted(path)} is ${size} bytes; the limit is ${PULLERS_FILE_MAX}.`);
  return readFileSync(path, 'utf8');
}

function printHuman(report: RunReport, write: (text: string) => void): void {
  const plan = planLines(report);
  if (plan) write(`${plan.join('\n')}\n\n`);
  // The terminal leaves out the digest column: verify and reconcile push nothing.
  const table = verdictTable(report);
  const digest = table.header.indexOf('digest');
  const without = (row: string[]): string[] => row.filter((_, column) => column !== digest);
  write(`${formatTable(without(table.header), table.rows.map(without))}\n`);
  for (const finding of renderFindings(report))
    write(`\n${finding.severity.toUpperCase()} ${finding.subject ? `${finding.subject}: ` : ''}${finding.message}\n`);
  // Extras are read from the stored allowlist: outside text, quoted inert like every other.
  const names = (list: string[]): string => list.map((name) => inert(name, 256)).join(', ');
  if (report.extra.length > 0) write(`\nExtra (allowlisted, not expected): ${names(report.extra)}\n`);
  write(`\n${hasDrift(report) ? `DRIFT: ${names(report.missing) || 'see above'}` : 'In sync.'}\n`);
}

/** `publish-image verify|reconcile|plan`: exit 0 in sync, 2 drift, 1 error (like terraform plan -detailed-exitcode). */
export async function runCli(args: string[]): Promise<number> {
  const terminal = terminalLogger();
  // Even the answer is plain text: a CLI run inside a workflow step must not print a line the runner would obey.
  // Secrets redacted, then no control or bidi character but our own line breaks (a terminal obeys them).
  const stdout = (text: string): boolean => process.stdout.write(plainLines(safeText(terminal.redact(text))));
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === '-h' || rest.includes('--help') || rest.includes('-h')) {
    stdout(`${USAGE}\n`);
    return command ? 0 : 1;
  }
  try {
    assertNodeVersion();
    if (!['verify', 'reconcile', 'plan'].includes(command)) throw new UserError(`${command}: not a command. Use verify, reconcile or plan (see --help).`);
    // Progress goes to stderr as plain text (never a workflow command, secrets redacted); stdout carries only the answer.
    setLogger(terminal);
    const { inputs: flags, json, format } = parseFlags(rest);
    if (format !== 'text' && command !== 'plan') throw new UserError(`--format ${format}: only for plan (the documents reconcile would write).`);
    if (flags.pullers?.startsWith('@')) flags.pullers = readPullersFile(flags.pullers.slice(1));
    const mode = command === 'plan' ? 'reconcile' : command;
    if (command === 'plan') flags['dry-run'] = 'true';
    const settings = readSettings((name) => (name === 'mode' ? mode : (flags[name] ?? '')), readRunContext());
    // The CLI never publishes (no command maps to it), so it keeps no DOCKER_CONFIG.
    const report = await runMode(settings, { dockerConfig: { save: () => undefined, remove: () => undefined } });
    if (format !== 'text' && report.documents) {
      // The documents alone on stdout, so `> pull.tf` or `> documents.json` gives a file that diffs cleanly.
      stdout(format === 'json' ? `${documentsJson(report.documents)}\n` : documentsTerraform(report.documents));
      return 0;
    }
    if (json) stdout(`${reportJson(report)}\n`);
    else printHuman(report, stdout);
    const pending = command === 'plan' && report.plans.some((named) => planHasChanges(named.plan));
    return hasDrift(report) || pending ? 2 : 0;
  } catch (error) {
    const message = error instanceof UserError ? error.message : `unexpected error (please report it): ${inert(errorMessage(error), 1000)}`;
    process.stderr.write(plainLines(safeText(terminal.redact(`publish-image: ${message}\n`))));
    return 1;
  }
}
