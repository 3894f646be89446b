// Issue 16, through dist/index.js (the action, and the CLI) against moto: text stored in AWS never
// drives a terminal or forges a line, in any sink (stdout, stderr, GITHUB_OUTPUT, the step summary,
// GITHUB_STATE, the JSON report, --json); every error is bounded and says what to do; prune that
// empties the allowlist removes the statement (or deletes the policy) instead of writing what IAM
// refuses. A proxy in front of moto serves what AWS would never store or say.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { iamIn } from '../../stack/aws.js';
import {
  ALLOWLIST_POLICY,
  MANIFEST_NAMES,
  PLATFORM_AGENT,
  PULL_ACTIONS,
  READER_ROLE_ARN,
  STAGING_ACCOUNT,
  STAGING_ROLE,
  TEMPLATE,
  allowlistPolicy,
  cliFlags,
  crossAccountGrant,
  errorLines,
  manifestWorkspace,
  presets,
  reportOf,
  repoArn,
  runAction,
  runCli,
  template,
  terminalEnv,
  type ActionRun,
  type MotoOptions,
  type MotoStack,
} from '../../stack/fixture.js';
import { assertActionSinksClean, assertNoPlantedLine, assertTerminalClean, longestLine } from './sinks.js';
import { assertNoWrite, assertOneError, useStoredMoto, type StoredProxy } from './stack.js';

const ESC = '\u001b';
const BEL = '\u0007';
/** OSC 52 (writes the clipboard), CSI 2J (clears the screen), OSC 0 (sets the title), a one-byte C1 CSI, bidi override and isolate. */
const TERMINAL = `${ESC}]52;c;cHduZWQ=${BEL}${ESC}[2J${ESC}]0;owned${BEL}\u009b2J\u202eevil\u2066`;
/** The plan line a stored newline tries to add (as the plan prints a real grant). */
const PLANTED_GRANT = '  + grant      molecule-ai/evil: pull statement on its repository policy';
const DRIVES = `molecule-ai/x${TERMINAL}`;
const PLANTS_GRANT = `molecule-ai/y\n${PLANTED_GRANT}`;
const PLANTS_SYNC = `molecule-ai/z\rIn sync.`;
const EXPECTED = [...MANIFEST_NAMES.map(template), PLATFORM_AGENT];

const ws = manifestWorkspace();
/** The moto of the describe block running now: each block starts its own. */
let stack: MotoStack<StoredProxy>;
function useSinksMoto(options: MotoOptions<StoredProxy>): void {
  const own = useStoredMoto({ repositories: EXPECTED, granted: EXPECTED, ...options });
  before(() => {
    stack = own;
  });
}
/** The longest line any failing run of this file printed (issue 16 asks for it). */
let longestFailureLine = 0;

/** The allowlist as seeded, with these names added to its pull statement (as stored text). */
function allowlistWith(extras: string[], expected = EXPECTED): string {
  const allowlist = allowlistPolicy(expected) as { Statement: { Resource?: string[] }[] };
  allowlist.Statement[1].Resource!.push(...extras.map(repoArn));
  return encodeURIComponent(JSON.stringify(allowlist));
}

/** `node dist/index.js <args>` as a terminal starts it: no runner variables at all. */
const cli = (args: string[]) => runCli(args, { cwd: ws, env: terminalEnv(stack.env, stack.proxy.endpoint) });

const common = cliFlags(presets.staging);
const manifestFlags = ['--manifest', 'manifest.json', '--repository-template', TEMPLATE, '--extra-repositories', PLATFORM_AGENT];
const verifyInputs = { ...presets.verifyManifest, manifest: 'manifest.json', 'pull-principals': '' };
const run = (inputs: Record<string, string>): Promise<ActionRun> =>
  runAction(inputs, { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, GITHUB_WORKSPACE: ws }, { timeoutMs: 120_000 });

/** Every sink clean, no planted plan line in the log or the step summary, and nothing written. */
async function assertCleanNoPlantNoWrite(result: ActionRun): Promise<void> {
  assertActionSinksClean(result);
  for (const [text, what] of [
    [result.log, 'the log'],
    [result.summary, 'the step summary'],
  ] as const)
    assertNoPlantedLine(text, [PLANTED_GRANT, 'In sync.'], what);
  await assertNoWrite(result, stack.endpoint, stack.state, stack.proxy);
}

describe('stored text reaches every sink escaped, and no line is forged (issue 16.1, 16.2)', () => {
  useSinksMoto({ allowlist: EXPECTED });

  it('CLI verify: an extra holding OSC 52, CSI 2J, OSC 0, a C1 CSI and bidi controls is shown escaped on "Extra …"', async () => {
    stack.proxy.clear();
    stack.proxy.rolePolicies.set(ALLOWLIST_POLICY, allowlistWith([DRIVES]));
    const result = await cli(['verify', ...manifestFlags, ...common]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Extra \(allowlisted, not expected\): molecule-ai\/x\\u001b\]52;c;cHduZWQ=\\u0007\\u001b\[2J\\u001b\]0;owned\\u0007\\u009b2J\\u202eevil\\u2066$/m,
    );
    assert.match(result.stdout, /^In sync\.$/m);
    assertTerminalClean(result);
    assert.deepEqual(stack.proxy.writes, []);
  });

  it('CLI verify --json: every such character a \\uXXXX escape, and the extra parses back exactly', async () => {
    stack.proxy.clear();
    stack.proxy.rolePolicies.set(ALLOWLIST_POLICY, allowlistWith([DRIVES, PLANTS_GRANT]));
    const result = await cli(['verify', ...manifestFlags, ...common, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assertTerminalClean(result);
    assert.match(result.stdout, /\\u009b2J\\u202eevil\\u2066/);
    const report = JSON.parse(result.stdout) as { extra: string[] };
    assert.deepEqual([...report.extra].sort(), [DRIVES, PLANTS_GRANT].sort());
  });

  it("CLI plan --prune: the '- allowlist' lines show the stored ARNs escaped; a stored newline plants no '+ grant' line", async () => {
    stack.proxy.clear();
    stack.proxy.rolePolicies.set(ALLOWLIST_POLICY, allowlistWith([DRIVES, PLANTS_GRANT]));
    const result = await cli(['plan', ...manifestFlags, ...common, '--prune', '--pull-principals', STAGING_ACCOUNT]);
    assert.equal(result.code, 2, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^ {2}- allowlist {2}arn:aws:ecr:us-east-2:153263036946:repository\/molecule-ai\/x\\u001b\]52;c;/m);
    assert.match(result.stdout, /^ {2}- allowlist {2}arn:aws:ecr:us-east-2:153263036946:repository\/molecule-ai\/y\\u000a {2}\+ grant {6}molecule-ai\/evil/m);
    assertNoPlantedLine(`${result.stdout}\n${result.stderr}`, [PLANTED_GRANT], 'the CLI');
    assertTerminalClean(result);
    assert.deepEqual(stack.proxy.writes, [], 'plan writes nothing');
    assert.deepEqual(await stack.writableState(), stack.state);
  });

  it('CLI verify of a drifted allowlist: a carriage return in a stored ARN plants no "In sync." line', async () => {
    stack.proxy.clear();
    stack.proxy.rolePolicies.set(ALLOWLIST_POLICY, allowlistWith([PLANTS_SYNC], MANIFEST_NAMES.map(template)));
    const result = await cli(['verify', ...manifestFlags, ...common]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /^DRIFT: molecule-ai\/molecule-platform-agent$/m);
    assert.match(result.stdout, /molecule-ai\/z\\u000dIn sync\./);
    assertNoPlantedLine(`${result.stdout}\n${result.stderr}`, ['In sync.'], 'the CLI');
    assertTerminalClean(result);
  });

  it('action verify: the log, annotations, outputs, summary, state and report hold every stored extra and Sid escaped; the extra output parses back exactly', async () => {
    stack.proxy.clear();
    stack.proxy.rolePolicies.set(ALLOWLIST_POLICY, allowlistWith([DRIVES, PLANTS_GRANT, PLANTS_SYNC]));
    // A public foreign statement whose Sid drives a terminal: warned about, quoting the Sid.
    const publicSid = `Public${TERMINAL}\n${PLANTED_GRANT}`;
    stack.proxy.repositoryPolicies.set(
      PLATFORM_AGENT,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [crossAccountGrant(), { Sid: publicSid, Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' }],
      }),
    );
    const result = await run(verifyInputs);
    assert.equal(result.exitCode, 0, result.log);
    assert.match(result.log, /^::warning[^:]*::the allowlist names 3 repositories that the manifest does not expect: .*molecule-ai\/x\\u001b\]52;c;/m);
    assert.match(result.log, /^::warning[^:]*::.*Public\\u001b\]52;c;cHduZWQ=\\u0007.*lets anyone pull/m);
    assert.deepEqual([...(JSON.parse(result.outputs.extra) as string[])].sort(), [DRIVES, PLANTS_GRANT, PLANTS_SYNC].sort());
    const report = reportOf<{ extra: string[] }>(result);
    assert.deepEqual([...report.extra].sort(), [DRIVES, PLANTS_GRANT, PLANTS_SYNC].sort());
    assert.match(result.summary, /molecule-ai\/x\\u001b\]52;c;/);
    await assertCleanNoPlantNoWrite(result);
  });

  it('action reconcile dry-run with prune: the plan in the log and the step summary plants no line; nothing is written', async () => {
    stack.proxy.clear();
    stack.proxy.rolePolicies.set(ALLOWLIST_POLICY, allowlistWith([DRIVES, PLANTS_GRANT, PLANTS_SYNC]));
    const result = await run({ ...verifyInputs, mode: 'reconcile', 'dry-run': 'true', prune: 'true', 'pull-principals': STAGING_ACCOUNT });
    assert.equal(result.exitCode, 0, result.log);
    assert.match(result.log, /^ {2}- allowlist {2}arn:aws:ecr:us-east-2:153263036946:repository\/molecule-ai\/y\\u000a {2}\+ grant/m);
    assert.match(result.summary, /- allowlist {2}arn:aws:ecr:us-east-2:153263036946:repository\/molecule-ai\/y\\u000a {2}\+ grant/);
    await assertCleanNoPlantNoWrite(result);
  });
});

describe('errors from outside are bounded, escaped, and say what happened (issue 16.3, 16.7)', () => {
  useSinksMoto({ allowlist: EXPECTED });
  after(async () => {
    process.stdout.write(`# longest line a failure printed in sinks-stored: ${longestFailureLine} characters\n`);
  });

  const HUGE = `${ESC}[2J${ESC}]52;c;${'A'.repeat(1_000_000)}${BEL}`;
  const single = { ...verifyInputs, manifest: '', 'repository-template': '', 'extra-repositories': '', repository: PLATFORM_AGENT };

  const refusals: [string, string, { status: number; code: string; message: string }, RegExp][] = [
    [
      'ECR (JSON)',
      'GetRepositoryPolicy',
      { status: 400, code: 'ValidationException', message: HUGE },
      /^ecr:GetRepositoryPolicy was refused by AWS \(ValidationException: \\u001b\[2J\\u001b\]52;c;A+… \(\d+ more characters\)\); a re-run would be refused the same way\./,
    ],
    [
      'IAM (XML)',
      'GetRolePolicy',
      { status: 400, code: 'InvalidInput', message: `${'B'.repeat(500_000)}\u009b2J` },
      /^iam:GetRolePolicy was refused by AWS \(InvalidInputException: B+… \(\d+ more characters\)\); a re-run would be refused the same way\./,
    ],
  ];
  for (const [what, operation, error, message] of refusals) {
    it(`a 1 MB-class error message from ${what} with escape sequences: one short line, escaped, never "re-run later" (action and CLI)`, async () => {
      stack.proxy.clear();
      stack.proxy.errors.set(operation, error);
      const result = await run(single);
      const line = assertOneError(result, message);
      assert.ok(line.length < 700, `${line.length} characters`);
      assert.ok(!/network is failing|re-run the job later/.test(line), line);
      assertActionSinksClean(result);
      longestFailureLine = Math.max(longestFailureLine, longestLine(result.log));
      await assertNoWrite(result, stack.endpoint, stack.state, stack.proxy);

      const terminal = await cli(['verify', '--repository', PLATFORM_AGENT, ...common]);
      assert.equal(terminal.code, 1, terminal.stderr);
      assert.equal(terminal.stdout, '');
      const errors = terminal.stderr.split('\n').filter((entry) => entry.startsWith('publish-image: '));
      assert.equal(errors.length, 1, terminal.stderr);
      assert.match(errors[0].slice('publish-image: '.length), message);
      assertTerminalClean(terminal);
      longestFailureLine = Math.max(longestFailureLine, longestLine(terminal.stderr));
    });
  }

  it('a throttled call still says "AWS or the network is failing; re-run later" (a re-run can fix it)', async () => {
    stack.proxy.clear();
    stack.proxy.errors.set('GetRepositoryPolicy', { status: 400, code: 'ThrottlingException', message: `Rate exceeded${ESC}[2J` });
    const result = await run(single);
    const line = assertOneError(
      result,
      /^ecr:GetRepositoryPolicy failed after \d+ attempts \(ThrottlingException: Rate exceeded\\u001b\[2J\)\. AWS or the network is failing; re-run the job later\./,
    );
    assertActionSinksClean(result);
    longestFailureLine = Math.max(longestFailureLine, line.length);
  });

  it('an organization tree deeper than AWS allows says so and what to check, not "re-run"', async () => {
    stack.proxy.clear();
    let parents = 0;
    stack.proxy.organizations = (operation) => {
      switch (operation) {
        case 'DescribeOrganization':
          return { Organization: { Id: 'o-loop1234567', MasterAccountId: '210987654321' } };
        case 'ListRoots':
          return { Roots: [{ Id: 'r-loop', PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] }] };
        case 'ListPoliciesForTarget':
          return { Policies: [] };
        case 'ListParents':
          // Never the root: every OU has another OU above it.
          return { Parents: [{ Id: `ou-loop-${String(++parents).padStart(8, '0')}`, Type: 'ORGANIZATIONAL_UNIT' }] };
        default:
          return undefined;
      }
    };
    const result = await run({ ...single, 'organization-assume-role-arn': READER_ROLE_ARN });
    const line = assertOneError(
      result,
      /^organizations:ListParents: no root within 8 levels above account 004947743811, but AWS nests OUs at most 5 deep under the root: .*a re-run reads the same\. Check organization-assume-role-arn/,
    );
    assert.ok(!/network is failing/.test(line), line);
    assertActionSinksClean(result);
    longestFailureLine = Math.max(longestFailureLine, longestLine(result.log));
    await assertNoWrite(result, stack.endpoint, stack.state, stack.proxy);
  });
});

describe('prune that empties the allowlist (issue 16.4), against moto', () => {
  const EXTRAS = [template('autogen'), template('langgraph')];
  const LOGIN = { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };
  const OUR_PULL = { Sid: 'PullWorkspaceTemplates', Effect: 'Allow', Action: PULL_ACTIONS, Resource: EXTRAS.map(repoArn) };
  const otherPull = (statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
  const reconcile = (extra: Record<string, string> = {}): Promise<ActionRun> =>
    runAction(
      { ...verifyInputs, mode: 'reconcile', prune: 'true', 'pull-principals': STAGING_ACCOUNT, ...extra },
      { ...stack.env, AWS_ENDPOINT_URL: stack.proxy.endpoint, GITHUB_WORKSPACE: ws },
      { timeoutMs: 180_000 },
    );

  useSinksMoto({ once: false, snapshot: false });

  const putOther = (document: object) =>
    iamIn(stack.endpoint, STAGING_ACCOUNT).send(
      new PutRolePolicyCommand({ RoleName: STAGING_ROLE, PolicyName: 'OtherPull', PolicyDocument: JSON.stringify(document) }),
    );

  it('the statement left without ARNs goes, the rest of the policy stays, and the plan says so', async () => {
    await stack.seedStaging({ Version: '2012-10-17', Statement: [LOGIN, OUR_PULL] });
    await putOther(otherPull([{ Sid: 'PullExpected', Effect: 'Allow', Action: PULL_ACTIONS, Resource: EXPECTED.map(repoArn) }]));
    const result = await reconcile();
    assert.equal(result.exitCode, 0, result.log);
    assert.match(result.log, /^ {2}- statement {2}"PullWorkspaceTemplates": prune leaves no ARN in it, so reconcile removes the statement$/m);
    assert.deepEqual(await stack.storedAllowlist(), { Version: '2012-10-17', Statement: [LOGIN] });
    assert.deepEqual(stack.proxy.writes, ['PutRolePolicy']);
    assertActionSinksClean(result);
  });

  it('nothing left in the policy: it is deleted (iam:DeleteRolePolicy), never written empty; the plan and the report say so, and the run ends in sync', async () => {
    await stack.seedStaging({ Version: '2012-10-17', Statement: [OUR_PULL] });
    await putOther(otherPull([LOGIN, { Sid: 'PullExpected', Effect: 'Allow', Action: PULL_ACTIONS, Resource: EXPECTED.map(repoArn) }]));
    const dry = await reconcile({ 'dry-run': 'true' });
    assert.equal(dry.exitCode, 0, dry.log);
    assert.match(
      dry.log,
      /^ {2}- policy {5}WorkspaceTemplatePrimaryECRPull: prune leaves nothing in it \(statement "PullWorkspaceTemplates" had only these ARNs\), so reconcile deletes the inline policy \(iam:DeleteRolePolicy\)$/m,
    );
    assert.deepEqual(stack.proxy.writes, [], 'dry-run writes nothing');

    const result = await reconcile();
    assert.equal(result.exitCode, 0, result.log);
    assert.deepEqual(stack.proxy.writes, ['DeleteRolePolicy'], 'no PutRolePolicy of an empty document');
    await assert.rejects(
      iamIn(stack.endpoint, STAGING_ACCOUNT).send(new GetRolePolicyCommand({ RoleName: STAGING_ROLE, PolicyName: ALLOWLIST_POLICY })),
      (error: Error) => error.name === 'NoSuchEntityException' || error.name === 'NoSuchEntity',
    );
    const report = reportOf<{
      policyChanges: { target: string; before: unknown; after: unknown; written: boolean }[];
    }>(result);
    const change = report.policyChanges.find((entry) => entry.target === `role:${STAGING_ROLE}/${ALLOWLIST_POLICY}`);
    assert.deepEqual(change, {
      target: `role:${STAGING_ROLE}/${ALLOWLIST_POLICY}`,
      before: { Version: '2012-10-17', Statement: [OUR_PULL] },
      after: null,
      written: true,
    });
    assert.match(
      result.log,
      /::warning[^:]*::inline policy WorkspaceTemplatePrimaryECRPull of role MoleculeTenantEICRole-staging was deleted: prune left nothing in it/,
    );
    assert.equal(result.outputs.drift, 'false');
    assertActionSinksClean(result);
  });

  it('IAM refusing what reconcile writes (MalformedPolicyDocument) is a fault of publish-image, said with the document, never "re-run later"', async () => {
    await stack.seedStaging(allowlistPolicy(MANIFEST_NAMES.map(template)));
    const before = await stack.writableState();
    stack.proxy.errors.set('PutRolePolicy', { status: 400, code: 'MalformedPolicyDocument', message: `Syntax errors in policy.${ESC}[2J` });
    const result = await reconcile({ prune: 'false' });
    const line = assertOneError(
      result,
      /^iam:PutRolePolicy: IAM refused the inline policy WorkspaceTemplatePrimaryECRPull that reconcile wrote for role MoleculeTenantEICRole-staging as malformed \(Syntax errors in policy\.\\u001b\[2J\)\. It wrote: \{"Version":"2012-10-17","Statement":\[.*\. This is a fault of publish-image: please report it with that document\./,
    );
    assert.ok(!/re-run/.test(line), line);
    assert.ok(line.length < 1000, `${line.length}`);
    assert.deepEqual(await stack.writableState(), before, 'nothing changed in moto');
    assertActionSinksClean(result);
    assert.ok(errorLines(result.log).length === 1);
  });
});
