import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { compileCache, shippedNode } from './node.js';

export const ROOT = resolve(import.meta.dirname, '..');

export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Everything the step printed, as one string (stdout and stderr). */
  log: string;
  outputs: Record<string, string>;
  summary: string;
  post: { exitCode: number; log: string };
  runnerTemp: string;
}

function actionDefaults(): Record<string, string> {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  return Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, input.default ?? '']));
}

/** Reads a GITHUB_OUTPUT / GITHUB_STATE file: `name<<delimiter\nvalue\ndelimiter` blocks. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[index]);
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (index++; index < lines.length && lines[index] !== delimiter; index++) value.push(lines[index]);
    values[name] = value.join('\n');
  }
  return values;
}

function runNode(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ exitCode: number; stdout: string; stderr: string; log: string }> {
  return new Promise((resolvePromise, reject) => {
    // The runtime action.yml declares (node24), as a runner starts the step.
    const child = spawn(shippedNode(), [script], { cwd: env.GITHUB_WORKSPACE ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      log += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      log += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ exitCode: code ?? -1, stdout, stderr, log });
    });
  });
}

/** What a runner gives a step: a RUNNER_TEMP with the GITHUB_OUTPUT/STEP_SUMMARY/STATE files, and INPUT_* with action.yml defaults. */
export interface RunnerEnvironment {
  runnerTemp: string;
  files: { output: string; summary: string; state: string };
  inputEnv: Record<string, string>;
  baseEnv: NodeJS.ProcessEnv;
}

export function runnerEnvironment(inputs: Record<string, string>, env: NodeJS.ProcessEnv): RunnerEnvironment {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'runner-'));
  const files = { output: join(runnerTemp, 'output'), summary: join(runnerTemp, 'summary'), state: join(runnerTemp, 'state') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const inputEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) inputEnv[`INPUT_${name.toUpperCase()}`] = value;
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    ...compileCache(),
    ...env,
  };
  return { runnerTemp, files, inputEnv, baseEnv };
}

/**
 * Runs `dist/index.js` as a runner does: INPUT_* with action.yml defaults, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY and GITHUB_STATE files; then the `post:` step with the saved state.
 */
export async function runAction(inputs: Record<string, string>, env: NodeJS.ProcessEnv, options: { timeoutMs?: number } = {}): Promise<ActionRun> {
  const { runnerTemp, files, inputEnv, baseEnv } = runnerEnvironment(inputs, env);
  const timeoutMs = options.timeoutMs ?? 300_000;
  const main = await runNode(join(ROOT, 'dist', 'index.js'), { ...baseEnv, ...inputEnv }, timeoutMs);

  const state = parseCommandFile(readFileSync(files.state, 'utf8'));
  const stateEnv = Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
  const post = await runNode(join(ROOT, 'dist', 'post', 'index.js'), { ...baseEnv, ...inputEnv, ...stateEnv }, timeoutMs);

  return {
    ...main,
    outputs: parseCommandFile(readFileSync(files.output, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    post: { exitCode: post.exitCode, log: post.log },
    runnerTemp,
  };
}

/** The `::error::` line the toolkit prints for setFailed, decoded. */
export function errorLines(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) =>
      line
        .replace(/^::error[^:]*::/, '')
        .replace(/%0A/g, '\n')
        .replace(/%0D/g, '\r')
        .replace(/%25/g, '%'),
    );
}
