import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandFile, ROOT, runnerEnvironment, type ActionRun } from './action.js';
import { shippedNode } from './node.js';

/**
 * The action started as a runner starts it (like stack/action.ts), optionally inside a wrapper
 * command, e.g. a mount namespace whose /etc/hosts lacks some names (`hostsWithout`), so that the
 * action itself cannot resolve them while everything else on the machine (dockerd, a proxy) can.
 */
export interface StartedAction {
  child: ChildProcess;
  runnerTemp: string;
  files: { output: string; summary: string; state: string };
  inputEnv: Record<string, string>;
  baseEnv: NodeJS.ProcessEnv;
  log(): string;
  exited: Promise<number>;
}

/** A wrapper that runs the command in a private mount namespace whose /etc/hosts lacks every line naming `names`. */
export function hostsWithout(names: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'hosts-'));
  const hostsFile = join(dir, 'hosts');
  const lines = readFileSync('/etc/hosts', 'utf8')
    .split('\n')
    .filter((line) => !names.some((name) => line.split(/\s+/).includes(name)));
  writeFileSync(hostsFile, `${lines.join('\n').trimEnd()}\n`);
  // Not a shell: sh drops variables whose names hold '-', and runners set INPUT_PULL-PRINCIPALS & co.
  const wrapper = join(dir, 'with-hosts.cjs');
  writeFileSync(
    wrapper,
    [
      "const { execFileSync, spawn } = require('node:child_process');",
      'const [hosts, ...command] = process.argv.slice(2);',
      "execFileSync('mount', ['--bind', hosts, '/etc/hosts']);",
      "const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });",
      "for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));",
      "child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));",
      '',
    ].join('\n'),
  );
  return ['unshare', '--mount', '--propagation', 'private', process.execPath, wrapper, hostsFile];
}

function spawnNode(script: string, env: NodeJS.ProcessEnv, wrap: string[]): { child: ChildProcess; log: () => string; exited: Promise<number> } {
  const node = shippedNode();
  const [command, ...args] = wrap.length > 0 ? [...wrap, node, script] : [node, script];
  const child = spawn(command, args, { cwd: env.GITHUB_WORKSPACE ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : -1)));
  });
  return { child, log: () => log, exited };
}

export function startAction(inputs: Record<string, string>, env: NodeJS.ProcessEnv, options: { wrap?: string[] } = {}): StartedAction {
  const { runnerTemp, files, inputEnv, baseEnv } = runnerEnvironment(inputs, env);
  const main = spawnNode(join(ROOT, 'dist', 'index.js'), { ...baseEnv, ...inputEnv }, options.wrap ?? []);
  return { child: main.child, runnerTemp, files, inputEnv, baseEnv, log: main.log, exited: main.exited };
}

/** Runs the `post:` step with the state the main step saved. */
export async function runPost(started: StartedAction): Promise<{ exitCode: number; log: string }> {
  const state = parseCommandFile(readFileSync(started.files.state, 'utf8'));
  const stateEnv = Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
  const post = spawnNode(join(ROOT, 'dist', 'post', 'index.js'), { ...started.baseEnv, ...started.inputEnv, ...stateEnv }, []);
  return { exitCode: await post.exited, log: post.log() };
}

/** Main step, then `post:`, with the same result shape as stack/action.ts's runAction. */
export async function runWrappedAction(
  inputs: Record<string, string>,
  env: NodeJS.ProcessEnv,
  options: { wrap?: string[]; timeoutMs?: number } = {},
): Promise<ActionRun> {
  const started = startAction(inputs, env, options);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
  const exitCode = await started.exited;
  clearTimeout(timer);
  const log = started.log();
  const post = await runPost(started);
  return {
    exitCode,
    stdout: log,
    stderr: '',
    log,
    outputs: parseCommandFile(readFileSync(started.files.output, 'utf8')),
    summary: readFileSync(started.files.summary, 'utf8'),
    post,
    runnerTemp: started.runnerTemp,
  };
}
