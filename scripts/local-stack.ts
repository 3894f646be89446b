// Starts (up) or stops (down) a local stand-in for AWS, for this repository's own workflows and for
// trying the action by hand: moto seeded with the registry account, the staging role and its
// allowlist (as in incident #3054, or already fixed); with --engine also dockerd and a registry
// under the ECR host name (root only). `up` leaves a background process holding the stack and
// writes the variables the action needs to $GITHUB_ENV (or prints them); `down` stops it.
//
//   node --import tsx scripts/local-stack.ts up [--state in-sync|incident] [--engine]
//   node --import tsx scripts/local-stack.ts down
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createKeys, createRepository } from '../stack/aws.js';
import { PROD_ACCOUNT, REGION, STAGING_ACCOUNT, startEngineStack, type EngineStack } from '../stack/engine.js';
import { startMoto } from '../stack/moto.js';
import { startRegistryBridge, type RegistryBridge } from '../stack/registry-bridge.js';
import { waitFor } from '../stack/process.js';
import { INCIDENT_ALLOWLIST, allowlistPolicy, crossAccountGrant, seedStaging, setRepositoryPolicy } from '../stack/staging.js';

const STATE_DIR = resolve('.stack');
const ENV_FILE = join(STATE_DIR, 'env.json');
const PID_FILE = join(STATE_DIR, 'server.pid');
const [command, ...args] = process.argv.slice(2);

/** The background process: starts everything, writes env.json, stops everything on SIGTERM. */
async function serve(): Promise<void> {
  const state = args.includes('--state') ? args[args.indexOf('--state') + 1] : 'in-sync';
  const moto = await startMoto();
  let engine: EngineStack | undefined;
  let bridge: RegistryBridge | undefined;
  const stop = async (): Promise<void> => {
    await bridge?.stop();
    await moto.stop();
    await engine?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  const manifest = JSON.parse(readFileSync('examples/manifest.json', 'utf8')) as { workspace_templates: (string | { name: string })[] };
  const expected = [
    ...manifest.workspace_templates.map((entry) => `molecule-ai/workspace-template-${typeof entry === 'string' ? entry : entry.name}`),
    'molecule-ai/molecule-platform-agent',
  ];
  const keys = await createKeys(moto.endpoint, PROD_ACCOUNT, 'publisher');
  for (const repository of new Set([...expected, ...INCIDENT_ALLOWLIST])) {
    await createRepository(moto.endpoint, repository);
    await setRepositoryPolicy(moto.endpoint, repository, { Version: '2012-10-17', Statement: [crossAccountGrant()] });
  }
  await seedStaging(moto.endpoint, allowlistPolicy(state === 'incident' ? INCIDENT_ALLOWLIST : expected));
  const variables: Record<string, string> = { ...keys, AWS_REGION: REGION, AWS_ENDPOINT_URL: moto.endpoint };
  if (args.includes('--engine')) {
    engine = await startEngineStack();
    // Each push to the registry is recorded in moto's ECR, as ECR itself would list it (stack/registry-bridge.ts).
    bridge = await startRegistryBridge(moto.endpoint, engine.caFile);
    Object.assign(variables, { DOCKER_HOST: engine.dockerHost, NODE_EXTRA_CA_CERTS: engine.caFile, PATH: `${engine.dockerClientDir}:${process.env.PATH}` });
  }
  writeFileSync(ENV_FILE, JSON.stringify(variables));
  process.stderr.write(`Local AWS up (${state}): registry ${PROD_ACCOUNT}, staging ${STAGING_ACCOUNT}, endpoint ${moto.endpoint}.\n`);
  setInterval(() => undefined, 1 << 30);
}

async function up(): Promise<void> {
  mkdirSync(STATE_DIR, { recursive: true });
  rmSync(ENV_FILE, { force: true });
  const server = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'serve', ...args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  server.unref();
  writeFileSync(PID_FILE, String(server.pid));
  await waitFor('the local stack', async () => existsSync(ENV_FILE), 120_000);
  const variables = JSON.parse(readFileSync(ENV_FILE, 'utf8')) as Record<string, string>;
  const lines = Object.entries(variables).map(([name, value]) => `${name}=${value}`);
  if (process.env.GITHUB_ENV) appendFileSync(process.env.GITHUB_ENV, `${lines.join('\n')}\n`);
  else for (const line of lines) console.log(`export ${line}`);
}

async function down(): Promise<void> {
  if (!existsSync(PID_FILE)) return;
  const pid = Number(readFileSync(PID_FILE, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
    await waitFor(
      'the local stack to stop',
      async () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      60_000,
    );
  } catch {
    // Already gone.
  }
  rmSync(STATE_DIR, { recursive: true, force: true });
}

if (command === 'serve') await serve();
else if (command === 'up') await up();
else if (command === 'down') await down();
else {
  console.error('usage: local-stack.ts up [--state in-sync|incident] [--engine] | down');
  process.exit(1);
}
