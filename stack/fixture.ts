// The one test fixture. `useMoto()` gives a test file (or a describe block) its moto: started once,
// reset and seeded before each test (or seeded once), with the prod environment the action runs in.
// Next to it: the names every test shares (one definition each), the named input presets, and the
// helpers many files need (the JSON report, a manifest in the workspace, the CLI from a terminal).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { ROOT, errorLines, type ActionRun } from './action.js';
import { type Keys } from './aws.js';
import type { PullFacts } from '../src/domain/policy/request-context.js';
import { PROD_ACCOUNT, REGION, STAGING_ACCOUNT } from './engine.js';
import { engineFromEnv } from './env.js';
import { startMoto, writableState, type Moto } from './moto.js';
import { startRegistryBridge, type RegistryBridge } from './registry-bridge.js';
import { compileCache, shippedNode } from './node.js';
import { prodEnvironment } from './prod.js';
import {
  ALLOWLIST_POLICY,
  READER_ROLE_ARN,
  STAGING_ROLE_ARN,
  allowlistPolicy,
  crossAccountGrant,
  putAllowlist,
  seedStaging,
  setRepositoryPolicy,
  storedAllowlist,
  storedRepositoryPolicy,
} from './staging.js';

export { ROOT, errorLines, runAction, type ActionRun } from './action.js';
export { PROD_ACCOUNT, REGION, REGISTRY_HOST, REGISTRY_PASSWORD, STAGING_ACCOUNT } from './engine.js';
export { writableState, type Moto } from './moto.js';
export {
  ALLOWLIST_POLICY,
  INCIDENT_ALLOWLIST,
  PULL_ACTIONS,
  READER_ROLE_ARN,
  STAGING_ROLE,
  STAGING_ROLE_ARN,
  allowlistPolicy,
  crossAccountGrant,
  putAllowlist,
  repoArn,
  seedStaging,
  setRepositoryPolicy,
  storedAllowlist,
  storedRepositoryPolicy,
} from './staging.js';

export const PLATFORM_AGENT = 'molecule-ai/molecule-platform-agent';
export const TEMPLATE = 'molecule-ai/workspace-template-{name}';
export const template = (name: string): string => `molecule-ai/workspace-template-${name}`;
/** The templates a hand-written manifest lists: all four are on the incident allowlist. */
export const MANIFEST_NAMES = ['claude-code', 'codex', 'hermes', 'openclaw'];
/** The platform agent and the templates of MANIFEST_NAMES. */
export const MANIFEST_REPOSITORIES = [PLATFORM_AGENT, ...MANIFEST_NAMES.map(template)];
/** examples/manifest.json: the seven templates of incident #3054. */
export const EXAMPLE_MANIFEST = join(ROOT, 'examples', 'manifest.json');
export const EXAMPLE_NAMES = ['claude-code', 'codex', 'hermes', 'openclaw', 'seo-agent', 'google-adk', 'deep-research'];
/** What the example manifest and the platform agent expect to exist. */
export const EXPECTED = [...EXAMPLE_NAMES.map(template), PLATFORM_AGENT];

/** The policy a repository holds when it grants staging pull (the account root). */
export const GRANTED = { Version: '2012-10-17', Statement: [crossAccountGrant()] };

/** The three inputs that name the pulling role and how to read it. */
const staging = {
  'staging-role-arn': STAGING_ROLE_ARN,
  'staging-policy-name': ALLOWLIST_POLICY,
  'staging-assume-role-arn': READER_ROLE_ARN,
};
const verifyManifest = {
  mode: 'verify',
  'registry-id': PROD_ACCOUNT,
  manifest: EXAMPLE_MANIFEST,
  'repository-template': TEMPLATE,
  'extra-repositories': PLATFORM_AGENT,
  ...staging,
  'pull-principals': STAGING_ACCOUNT,
};

/** Named inputs of the action, as in aws-actions/configure-aws-credentials' mockinputs: spread and override. */
export const presets = {
  staging,
  /** verify of the platform agent's repository (the registry is the caller's). */
  verifyRepository: { mode: 'verify', repository: PLATFORM_AGENT, ...staging },
  /** verify of the example manifest plus the platform agent, in the prod registry. */
  verifyManifest,
  reconcileManifest: { ...verifyManifest, mode: 'reconcile' },
  /** publish of the platform agent: tag v1, staging may pull. */
  publish: { mode: 'publish', repository: PLATFORM_AGENT, tags: 'v1', 'pull-principals': STAGING_ACCOUNT, 'staging-role-arn': STAGING_ROLE_ARN },
} as const;

/** Build settings with nothing set: `docker build .` of the default Dockerfile, pushed, provenance off. */
export const PLAIN_BUILD = {
  context: '.',
  file: '',
  buildArgs: [] as never[],
  labels: [] as never[],
  tags: [] as never[],
  target: '',
  platforms: [] as never[],
  cacheFrom: [] as never[],
  cacheTo: [] as never[],
  noCache: false,
  push: true,
  provenance: 'false',
  secrets: [] as never[],
  secretFiles: [] as never[],
  secretEnvs: [] as never[],
  ssh: [] as never[],
  buildContexts: [] as never[],
};

/** What verify reads about a pull by `roleArn` of staging from the prod registry, all in one organization. */
export function pullFacts(roleArn: string): PullFacts {
  return {
    role: { arn: roleArn, account: STAGING_ACCOUNT, roleId: 'AROAEXAMPLEID', tags: { team: 'platform' }, sessionTagsPossible: false },
    principalOrgId: { status: 'read', value: 'o-abc123' },
    principalOrgPaths: { status: 'read', value: ['o-abc123/r-ab12/ou-ab12-11111111/'] },
    registry: { account: PROD_ACCOUNT, region: REGION },
    resourceOrgId: { status: 'read', value: 'o-abc123' },
  };
}

/** A server in front of moto (the fault proxy, the stored-text proxy). */
export interface StackProxy {
  endpoint: string;
  clear(): void;
  stop(): Promise<void>;
}

export interface MotoStack<P> {
  readonly moto: Moto;
  /** moto's endpoint. */
  readonly endpoint: string;
  /** What a runner gives the action: prod keys, the region, moto as the AWS endpoint (and `options.env`). */
  readonly env: NodeJS.ProcessEnv & Keys;
  readonly proxy: P;
  /** What the action may write, as moto held it after seeding (with `snapshot`). */
  readonly state: unknown;
  /** Resets moto within a test and seeds it as `seed` says (`env` follows). */
  reseed(seed: Seed): Promise<void>;
  /** The staging helpers of stack/staging.ts and moto.ts, on this moto. */
  seedStaging(policy: object | undefined): Promise<void>;
  putAllowlist(policy: object): Promise<void>;
  storedAllowlist(): Promise<unknown>;
  setRepositoryPolicy(repository: string, policy: object | string): Promise<void>;
  storedRepositoryPolicy(repository: string): Promise<unknown>;
  writableState(): Promise<unknown>;
  /** With the engine stack: the bridge that records each push to the registry in this moto (stack/registry-bridge.ts). */
  readonly bridge: RegistryBridge | undefined;
}

/** What a moto holds before a test: the prod environment, repositories, grants and staging's allowlist. */
export interface Seed {
  /** Prod repositories created for the test. */
  repositories?: readonly string[];
  /** Of those, the ones whose policy grants staging pull (GRANTED). */
  granted?: readonly string[];
  /** Staging's roles, with this allowlist (repository names, or a whole policy). */
  allowlist?: readonly string[] | object;
  /** Added to `env`. */
  env?: NodeJS.ProcessEnv;
}

export interface MotoOptions<P> extends Seed {
  /** No prod environment at all: moto as started, reset before each test (`env` is then unset). */
  bare?: boolean;
  /** More seeding, after the above. */
  seed?: (stack: MotoStack<P>) => Promise<unknown>;
  /** Seed once, before the first test, and never reset (the tests only read). Default: reset and seed before each. */
  once?: boolean;
  /** Record `state` after seeding. */
  snapshot?: boolean;
  /** A proxy started in front of moto, cleared before each test. */
  proxy?: (endpoint: string) => Promise<P>;
  /**
   * With the engine stack (an e2e file): pushes to the registry are recorded in this moto (default true;
   * stack/registry-bridge.ts). false: moto does not see them (the file shows them to moto itself).
   */
  registryBridge?: boolean;
}

/** Seeds `moto` (keys, repositories, grants, allowlist) and returns the prod environment the action runs in. */
export async function seedMoto(moto: Moto, seed: Seed): Promise<NodeJS.ProcessEnv & Keys> {
  const env = { ...(await prodEnvironment(moto, [...(seed.repositories ?? [])])), ...seed.env };
  for (const repository of seed.granted ?? []) await setRepositoryPolicy(moto.endpoint, repository, GRANTED);
  if (seed.allowlist) await seedStaging(moto.endpoint, Array.isArray(seed.allowlist) ? allowlistPolicy(seed.allowlist) : seed.allowlist);
  return env;
}

/** Starts moto for the enclosing file or describe block (node:test hooks) and seeds it as `options` say. */
export function useMoto<P extends StackProxy | undefined = undefined>(options: MotoOptions<P> = {}): MotoStack<P> {
  let moto: Moto | undefined;
  let proxy: P | undefined;
  let env: (NodeJS.ProcessEnv & Keys) | undefined;
  let state: unknown;
  let bridge: RegistryBridge | undefined;
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready: use the stack inside a test or hook`);
    return value;
  };
  const stack: MotoStack<P> = {
    get moto() {
      return started(moto, 'moto');
    },
    get endpoint() {
      return started(moto, 'moto').endpoint;
    },
    get env() {
      return started(env, 'the prod environment');
    },
    get proxy() {
      return proxy as P;
    },
    get state() {
      return state;
    },
    get bridge() {
      return bridge;
    },
    async reseed(seed: Seed) {
      await stack.moto.reset();
      env = await seedMoto(stack.moto, seed);
    },
    seedStaging: (policy) => seedStaging(stack.endpoint, policy),
    putAllowlist: (policy) => putAllowlist(stack.endpoint, policy),
    storedAllowlist: () => storedAllowlist(stack.endpoint),
    setRepositoryPolicy: (repository, policy) => setRepositoryPolicy(stack.endpoint, repository, policy),
    storedRepositoryPolicy: (repository) => storedRepositoryPolicy(stack.endpoint, repository),
    writableState: () => writableState(stack.endpoint),
  };
  const seed = async (): Promise<void> => {
    if (!options.bare) env = await seedMoto(stack.moto, options);
    await options.seed?.(stack);
    if (options.snapshot) state = await writableState(stack.endpoint);
  };
  before(async () => {
    moto = await startMoto();
    if (options.proxy) proxy = await options.proxy(moto.endpoint);
    const caFile = process.env.PUBLISH_IMAGE_TEST_CA;
    if (process.env.PUBLISH_IMAGE_TEST_DOCKER_HOST && caFile)
      bridge = await startRegistryBridge(moto.endpoint, caFile, { enabled: options.registryBridge !== false });
    if (options.once) await seed();
  });
  after(async () => {
    await bridge?.stop();
    await proxy?.stop();
    await moto?.stop();
  });
  if (!options.once)
    beforeEach(async () => {
      await stack.moto.reset();
      proxy?.clear();
      await seed();
    });
  return stack;
}

/** The environment of a publish: `env` plus the local Docker engine, its client first on PATH, and its CA. */
export function dockerEnv(env: NodeJS.ProcessEnv, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const engine = engineFromEnv();
  return {
    ...env,
    DOCKER_HOST: engine.dockerHost,
    NODE_EXTRA_CA_CERTS: engine.caFile,
    PATH: `${engine.dockerClientDir}:${process.env.PATH}`,
    ...extra,
  };
}

/** Everything a run shows a reader: its logs (less the `::add-mask::` lines the runner consumes), summary, outputs and report. */
export function everythingShown(run: ActionRun): string {
  const shown = (log: string): string =>
    log
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
  const report = run.outputs.report ? readFileSync(run.outputs.report, 'utf8') : '';
  return [shown(run.log), shown(run.post.log), run.summary, JSON.stringify(run.outputs), report].join('\n');
}

/** The run failed (exit 1) with exactly one error, matching `pattern`. */
export function expectOneError(run: ActionRun, pattern: RegExp): void {
  assert.equal(run.exitCode, 1, run.log);
  const errors = errorLines(run.log);
  assert.equal(errors.length, 1, `exactly one error:\n${run.log}`);
  assert.match(errors[0], pattern);
}

/** The JSON report a run wrote (the `report` output), untyped unless the test names the shape it reads. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function reportOf<T = any>(run: { outputs: Record<string, string> }): T {
  return JSON.parse(readFileSync(run.outputs.report, 'utf8')) as T;
}

/**
 * A manifest file in its own folder inside `workspace` (manifests are read only from inside the
 * workspace: the repository root unless the test has its own). A list is written as the templates.
 */
export function writeManifest(content: string | readonly string[], workspace = join(ROOT, '.stack')): string {
  mkdirSync(workspace, { recursive: true });
  const path = join(mkdtempSync(join(workspace, 'manifest-')), 'manifest.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify({ workspace_templates: content }));
  return path;
}

/** A workspace of its own (GITHUB_WORKSPACE) holding `files`. */
export function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** A workspace holding manifest.json that lists `names` (by default MANIFEST_NAMES). */
export function manifestWorkspace(names: readonly string[] = MANIFEST_NAMES): string {
  return workspace({ 'manifest.json': JSON.stringify({ workspace_templates: names }) });
}

/** The CLI's flags for these inputs (all but the mode, which is the CLI's command). */
export function cliFlags(inputs: Record<string, string>): string[] {
  return Object.entries(inputs).flatMap(([name, value]) => (name === 'mode' ? [] : [`--${name}`, value]));
}

/** A terminal's environment: PATH, HOME, the prod keys and region of `env`, and this AWS endpoint; no runner variables. */
export function terminalEnv(env: NodeJS.ProcessEnv, endpoint: string): NodeJS.ProcessEnv {
  return {
    PATH: env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: env.AWS_REGION,
    AWS_ENDPOINT_URL: endpoint,
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `node dist/index.js <args>` as a terminal starts it: only the environment given, no runner variables;
 * on the Node the action ships on unless `node` says another (stack/node.ts: the machine's).
 */
export function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; node?: string }): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.node ?? shippedNode(), [join(ROOT, 'dist', 'index.js'), ...args], {
      cwd: options.cwd,
      env: { ...compileCache(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}
