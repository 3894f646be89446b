// Shared by the hostile-input suite: a proxy in front of moto that serves stored text AWS would
// never accept (moto validates most writes), the assertions every case makes, and fixtures.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, errorLines, runAction, type ActionRun } from '../../stack/action.js';
import { MANIFEST_REPOSITORIES, useMoto, writableState, type MotoOptions, type MotoStack } from '../../stack/fixture.js';

/** Outside text that tries to become a workflow command, in every form the runners obey. */
export const FORGED = {
  error: '\n::error::forged',
  mask: '\n::add-mask::x',
  state: '\n::save-state name=docker-config::/etc',
  legacy: '##[error]forged',
  output: '\n::set-output name=drift::false',
  stop: '\n::stop-commands::pwned',
  crlf: '\r\n::error::forged-crlf',
} as const;

export interface StoredProxy {
  endpoint: string;
  /** GetRepositoryPolicy of this repository answers with this text (as ECR would hand it over). */
  repositoryPolicies: Map<string, string>;
  /** GetRolePolicy of this policy name answers with this PolicyDocument (IAM sends it URL-encoded). */
  rolePolicies: Map<string, string>;
  /** SetRepositoryPolicy answers "Invalid repository policy provided" (a principal IAM does not know yet), forever. */
  refuseSetRepositoryPolicy: boolean;
  /** This operation answers with this error (in its protocol's shape: JSON or XML), every time. */
  errors: Map<string, { status: number; code: string; message: string }>;
  /** AWS Organizations, answered here when this returns a body (moto's organization cannot be made hostile). */
  organizations: ((operation: string, request: Record<string, unknown>) => unknown) | undefined;
  /** Every write operation that reached the proxy. */
  writes: string[];
  clear(): void;
  stop(): Promise<void>;
}

const WRITES = new Set([
  'SetRepositoryPolicy',
  'DeleteRepositoryPolicy',
  'CreateRepository',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'PutImage',
  'PutLifecyclePolicy',
]);

const xml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function operationOf(incoming: IncomingMessage, body: string): { operation: string; json: boolean } {
  const target = incoming.headers['x-amz-target'];
  if (typeof target === 'string') return { operation: target.slice(target.indexOf('.') + 1), json: true };
  return { operation: new URLSearchParams(body).get('Action') ?? 'unknown', json: false };
}

export async function startStoredProxy(target: string): Promise<StoredProxy> {
  const upstream = new URL(target);
  const proxy: Omit<StoredProxy, 'endpoint' | 'stop'> = {
    repositoryPolicies: new Map(),
    rolePolicies: new Map(),
    refuseSetRepositoryPolicy: false,
    errors: new Map(),
    organizations: undefined,
    writes: [],
    clear() {
      this.repositoryPolicies.clear();
      this.rolePolicies.clear();
      this.refuseSetRepositoryPolicy = false;
      this.errors.clear();
      this.organizations = undefined;
      this.writes.length = 0;
    },
  };
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const { operation, json } = operationOf(incoming, text);
      if (WRITES.has(operation)) proxy.writes.push(operation);
      const error = proxy.errors.get(operation);
      if (error) {
        if (json) {
          response.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify({ __type: error.code, message: error.message }));
        } else {
          response.writeHead(error.status, { 'content-type': 'text/xml' });
          response.end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>${xml(error.code)}</Code><Message>${xml(error.message)}</Message></Error><RequestId>stored-proxy</RequestId></ErrorResponse>`,
          );
        }
        return;
      }
      const target = String(incoming.headers['x-amz-target'] ?? '');
      const organization = target.startsWith('AWSOrganizationsV20161128.') ? proxy.organizations?.(operation, JSON.parse(text || '{}')) : undefined;
      if (organization !== undefined) {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(organization));
        return;
      }
      if (operation === 'GetRepositoryPolicy') {
        const { repositoryName, registryId } = JSON.parse(text) as { repositoryName: string; registryId?: string };
        const stored = proxy.repositoryPolicies.get(repositoryName);
        if (stored !== undefined) {
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify({ registryId: registryId ?? '153263036946', repositoryName, policyText: stored }));
          return;
        }
      }
      if (operation === 'GetRolePolicy' && !json) {
        const params = new URLSearchParams(text);
        const stored = proxy.rolePolicies.get(params.get('PolicyName') ?? '');
        if (stored !== undefined) {
          response.writeHead(200, { 'content-type': 'text/xml' });
          response.end(
            `<GetRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRolePolicyResult><RoleName>${xml(params.get('RoleName') ?? '')}</RoleName><PolicyName>${xml(params.get('PolicyName') ?? '')}</PolicyName><PolicyDocument>${xml(stored)}</PolicyDocument></GetRolePolicyResult><ResponseMetadata><RequestId>stored-proxy</RequestId></ResponseMetadata></GetRolePolicyResponse>`,
          );
          return;
        }
      }
      if (operation === 'SetRepositoryPolicy' && proxy.refuseSetRepositoryPolicy) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(
          JSON.stringify({
            __type: 'InvalidParameterException',
            message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
          }),
        );
        return;
      }
      const outgoing = request(
        { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      outgoing.on('error', () => {
        response.writeHead(502);
        response.end();
      });
      outgoing.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/**
 * moto behind the stored-text proxy, seeded once and recorded (the cases read, and check that nothing
 * was written): MANIFEST_REPOSITORIES, all granting staging pull, unless `options` say otherwise.
 */
export function useStoredMoto(options: MotoOptions<StoredProxy> = {}): MotoStack<StoredProxy> {
  return useMoto({ once: true, snapshot: true, proxy: startStoredProxy, repositories: MANIFEST_REPOSITORIES, granted: MANIFEST_REPOSITORIES, ...options });
}

/** Commands the toolkit prints for us; anything else starting with `::` came from outside text. */
const OWN_COMMANDS = /^::(error|warning|notice|debug|group|endgroup|add-mask)(?: [^:]*)?::/;

/**
 * No line of the log is a workflow command that outside text made: every `::` line is one of the
 * toolkit's own, none masks the forged value, no message of ours starts with forged text, and no
 * plain line carries the legacy `##[` form (GitHub's runner obeys it anywhere in a line that is not
 * a `::` command; act only at the start of a line).
 */
export function assertNoForgedCommands(log: string, what = 'log'): void {
  for (const line of log.split(/\r\n|\r|\n/)) {
    const trimmed = line.trimStart();
    if (!trimmed.startsWith('::')) {
      if (trimmed.includes('##[')) assert.fail(`${what}: a plain line carries the legacy command form ##[: ${JSON.stringify(line.slice(0, 200))}`);
      continue;
    }
    assert.match(trimmed, OWN_COMMANDS, `${what}: a workflow command from outside text: ${JSON.stringify(line.slice(0, 200))}`);
    assert.ok(!/^::add-mask::x\s*$/.test(trimmed), `${what}: outside text masked "x"`);
    assert.ok(!/^::(error|warning)[^:]*::forged/.test(trimmed), `${what}: a forged annotation: ${JSON.stringify(line.slice(0, 200))}`);
  }
}

/** The case's one error: exit 1, exactly one ::error line, matching `message`, short, on one line. */
export function assertOneError(run: ActionRun, message: RegExp): string {
  assert.equal(run.exitCode, 1, run.log.slice(-3000));
  const errors = errorLines(run.log);
  assert.equal(errors.length, 1, `exactly one error:\n${run.log.slice(-3000)}`);
  assert.match(errors[0], message, run.log.slice(-3000));
  assert.ok(!errors[0].includes('\n'), `one line: ${JSON.stringify(errors[0].slice(0, 300))}`);
  assert.ok(errors[0].length < 1500, `short: ${errors[0].length} characters`);
  assert.ok(!/unexpected error/.test(errors[0]), errors[0]);
  return errors[0];
}

/** Nothing the action may write changed in moto, no write reached AWS, and post deleted nothing. */
export async function assertNoWrite(run: ActionRun, motoEndpoint: string, before: unknown, proxy?: StoredProxy): Promise<void> {
  assert.deepEqual(await writableState(motoEndpoint), before, 'nothing changed in moto');
  if (proxy) assert.deepEqual(proxy.writes, [], 'no write call reached AWS');
  assert.equal(run.post.exitCode, 0, run.post.log);
  assert.ok(!/Removed/.test(run.post.log), `post removed nothing: ${run.post.log}`);
  assertNoForgedCommands(run.log, 'main step');
  assertNoForgedCommands(run.post.log, 'post step');
  assert.ok(!readFileSync(join(run.runnerTemp, 'state'), 'utf8').includes('/etc'), 'no forged state saved');
}

export { runAction };

export interface SpawnedAction {
  child: ChildProcess;
  /** stdout and stderr so far. */
  log(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Whether it has exited already. */
  done(): boolean;
  runnerTemp: string;
  stateFile: string;
}

/** `node dist/index.js` as a runner starts it, left running: for tests that signal it. */
export function spawnAction(inputs: Record<string, string>, env: NodeJS.ProcessEnv): SpawnedAction {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'runner-'));
  const files = { GITHUB_OUTPUT: join(runnerTemp, 'output'), GITHUB_STATE: join(runnerTemp, 'state'), GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary') };
  for (const path of Object.values(files)) writeFileSync(path, '');
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const inputEnv: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) inputEnv[`INPUT_${name.toUpperCase()}`] = input.default ?? '';
  for (const [name, value] of Object.entries(inputs)) inputEnv[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'index.js')], {
    cwd: env.GITHUB_WORKSPACE ?? ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_ACTIONS: 'true', RUNNER_TEMP: runnerTemp, ...files, ...env, ...inputEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk));
  let finished = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('close', (code, signal) => {
      finished = true;
      resolve({ code, signal, at: Date.now() });
    }),
  );
  return { child, log: () => log, exited, done: () => finished, runnerTemp, stateFile: files.GITHUB_STATE };
}

/** Waits until `check` holds (polling), or fails with the log: at the deadline, or as soon as the action has exited. */
export async function until(what: string, check: () => boolean, timeoutMs: number, run: Pick<SpawnedAction, 'log' | 'done'>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (run.done()) assert.fail(`the action exited before ${what}:\n${run.log().slice(-3000)}`);
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs} ms:\n${run.log().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs `dist/post/index.js` with the given saved state, as the runner does after the main step. */
export function runPost(state: Record<string, string>, env: NodeJS.ProcessEnv): Promise<{ exitCode: number; log: string }> {
  return new Promise((resolvePromise) => {
    const stateEnv = Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'post', 'index.js')], {
      env: { PATH: process.env.PATH, GITHUB_ACTIONS: 'true', ...env, ...stateEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk));
    child.on('close', (code) => resolvePromise({ exitCode: code ?? -1, log }));
  });
}
