// `npm test`: starts the Docker engine and the registry (shared by every test file; each file starts
// its own moto), runs every test with node's test runner, stops the stack, and ends with the line
// "N passed, N failed" taken from the runner's own counts.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEngineStack } from '../__tests__/stack/engine.js';
import { engineToEnv } from '../__tests__/stack/env.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = testFiles('__tests__').filter((file) => filter.length === 0 || filter.some((part) => file.includes(part))).sort();

const stack = await startEngineStack();
let exitCode: number;
try {
  exitCode = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
      env: { ...process.env, ...engineToEnv(stack) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => {
      const count = (name: string): number => Number(new RegExp(`^ℹ ${name} (\\d+)`, 'm').exec(output)?.[1] ?? 0);
      console.log(`\n${count('pass')} passed, ${count('fail') + count('cancelled')} failed`);
      resolve(code ?? 1);
    });
  });
} finally {
  await stack.stop();
}
process.exit(exitCode);
