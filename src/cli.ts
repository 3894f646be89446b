import { errorMessage, UserError } from './errors.js';
import { INPUT_DEFAULTS, readInputs, type InputName } from './inputs.js';
import { assertNodeVersion, execute, hasDrift } from './main.js';
import { formatTable, renderFindings, tableRows, type RunReport } from './report/report.js';
import { readRunnerContext } from './runner-context.js';
import { plainLines, setLogger, terminalLogger } from './log.js';

const USAGE = `Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

The same checks as the action, from a terminal. Flags are the action's inputs, e.g.
  publish-image verify --aws-region us-east-2 --registry-id 153263036946 \\
    --manifest manifest.json --repository-template 'molecule-ai/workspace-template-{name}' \\
    --extra-repositories molecule-ai/molecule-platform-agent \\
    --staging-role-arn arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging \\
    --staging-policy-name WorkspaceTemplatePrimaryECRPull
  publish-image plan ...        reconcile's plan only (dry run)
  publish-image reconcile ...   apply it (--prune also removes extras)

Credentials and endpoints come from the usual AWS variables (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...).
--json prints the report as JSON on stdout (logs go to stderr).
Exit status: 0 in sync, 2 drift (or, for plan, changes to make), 1 error.

Inputs: ${Object.keys(INPUT_DEFAULTS).filter((name) => name !== 'mode').map((name) => `--${name}`).join(' ')}`;

const SWITCHES = new Set<InputName>(['prune', 'dry-run', 'simulate', 'no-cache', 'push', 'create-repository', 'scan-on-push']);

function parseFlags(args: string[]): { flags: Partial<Record<InputName, string>>; json: boolean } {
  const flags: Partial<Record<InputName, string>> = {};
  let json = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--json') {
      json = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || match[1] === 'mode' || !(match[1] in INPUT_DEFAULTS)) throw new UserError(`${arg}: not an input of publish-image. See --help.`);
    const name = match[1] as InputName;
    if (match[2] !== undefined) flags[name] = match[2];
    else if (SWITCHES.has(name) && (args[index + 1] === undefined || args[index + 1].startsWith('--'))) flags[name] = 'true';
    else if (args[index + 1] === undefined) throw new UserError(`--${name}: needs a value.`);
    else flags[name] = args[++index];
  }
  return { flags, json };
}

function printHuman(report: RunReport, write: (text: string) => void): void {
  if (report.plan) write(`${report.plan.text.join('\n')}\n\n`);
  write(`${formatTable(['repository', 'grant', 'identity', 'verdict'], tableRows(report).map(([repository, grant, identity, , verdict]) => [repository, grant, identity, verdict]))}\n`);
  for (const finding of renderFindings(report)) write(`\n${finding.severity.toUpperCase()} ${finding.subject ? `${finding.subject}: ` : ''}${finding.message}\n`);
  if (report.extra.length > 0) write(`\nExtra (allowlisted, not expected): ${report.extra.join(', ')}\n`);
  write(`\n${hasDrift(report) ? `DRIFT: ${report.missing.join(', ') || 'see above'}` : 'In sync.'}\n`);
}

/** `publish-image verify|reconcile|plan`: exit 0 in sync, 2 drift, 1 error (like terraform plan -detailed-exitcode). */
export async function runCli(args: string[]): Promise<number> {
  const terminal = terminalLogger();
  // Even the answer is plain text: a CLI run inside a workflow step must not print a line the runner would obey.
  const stdout = (text: string): boolean => process.stdout.write(terminal.redact(plainLines(text)));
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === '-h' || rest.includes('--help')) {
    stdout(`${USAGE}\n`);
    return command ? 0 : 1;
  }
  try {
    assertNodeVersion();
    if (!['verify', 'reconcile', 'plan'].includes(command)) throw new UserError(`${command}: not a command. Use verify, reconcile or plan (see --help).`);
    const { flags, json } = parseFlags(rest);
    const mode = command === 'plan' ? 'reconcile' : command;
    if (command === 'plan') flags['dry-run'] = 'true';
    const inputs = readInputs((name) => (name === 'mode' ? mode : (flags[name] ?? '')));
    // Progress goes to stderr as plain text (never a workflow command, secrets redacted); stdout carries only the answer.
    setLogger(terminal);
    const report = await execute(inputs, readRunnerContext());
    if (json) stdout(`${JSON.stringify(report, null, 2)}\n`);
    else printHuman(report, stdout);
    const pending = command === 'plan' && report.plan?.changes === true;
    return hasDrift(report) || pending ? 2 : 0;
  } catch (error) {
    process.stderr.write(terminal.redact(`publish-image: ${error instanceof UserError ? error.message : `unexpected error (please report it): ${errorMessage(error)}`}\n`));
    return 1;
  }
}
