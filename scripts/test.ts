// `npm test`: installs what the local stack needs when it is missing (scripts/setup-stack.ts), makes
// sure dist/ is a build of the current src/ (the tests run the bundle), starts the Docker engine and
// the registry (shared by every test file; each file starts its own moto), runs every test with
// node's test runner, stops the stack, and ends with the line "N passed, N failed" taken from the
// runner's own counts. `npm run test:unit` runs only the pure tests: seconds, no dockerd, no moto.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureStack } from './setup-stack.js';
import { startEngineStack } from '../stack/engine.js';
import { engineToEnv } from '../stack/env.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** The tests start dist/index.js as a runner does: never let them run a bundle older than src/. */
function ensureFreshDist(): void {
  const bundle = join('dist', 'index.js');
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  if (built >= Math.max(newestMtime('src'), newestMtime('package-lock.json'))) return;
  process.stderr.write(`dist/ is ${built === 0 ? 'missing' : 'older than src/'}: rebuilding it (npm run package).\n`);
  execFileSync('npm', ['run', '-s', 'package'], { stdio: 'inherit' });
}

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filter = args.filter((arg) => arg !== '--unit');
const files = testFiles(unitOnly ? join('__tests__', 'unit') : '__tests__')
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .sort();

if (!unitOnly) {
  ensureStack();
  ensureFreshDist();
}
const stack = unitOnly ? undefined : await startEngineStack();
let exitCode: number;
try {
  exitCode = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
      env: { ...process.env, ...(stack ? engineToEnv(stack) : {}) },
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
  await stack?.stop();
}
process.exit(exitCode);
