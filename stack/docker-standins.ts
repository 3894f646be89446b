import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Stand-ins for parts Debian does not package, speaking their real protocols to the real docker CLI:
 * - a buildx CLI plugin (`docker-buildx` in a cli-plugins folder) that records each call (its
 *   arguments, DOCKER_CONFIG, BUILDX_CONFIG and the builders it finds there) and performs
 *   `buildx build --push` with Debian's docker 20.10 (`docker build` with BuildKit, `docker push`),
 *   writing the metadata file as buildx does;
 * - a credential store (`docker-credential-<name>` on PATH: store/get/erase/list over stdin/stdout)
 *   that records every call and keeps what it is given in a JSON file.
 * Both are Node scripts run by this very node binary.
 */

export interface BuildxCall {
  args: string[];
  env: { DOCKER_CONFIG?: string; BUILDX_CONFIG?: string };
  /** Builder instances found under BUILDX_CONFIG/instances. */
  builders: string[];
  /** Whether DOCKER_CONFIG/config.json held a login for the ECR host when buildx ran. */
  sawEcrLogin: boolean;
}

const BUILDX = String.raw`
const { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const args = process.argv.slice(2);
if (args[0] === 'docker-cli-plugin-metadata') {
  process.stdout.write(JSON.stringify({ SchemaVersion: '0.1.0', Vendor: 'publish-image tests', Version: 'v0.0.0-standin', ShortDescription: 'records its calls' }));
  process.exit(0);
}
const env = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, BUILDX_CONFIG: process.env.BUILDX_CONFIG };
const instances = process.env.BUILDX_CONFIG ? join(process.env.BUILDX_CONFIG, 'instances') : '';
const builders = instances && existsSync(instances) ? readdirSync(instances) : [];
let sawEcrLogin = false;
try {
  const config = JSON.parse(readFileSync(join(process.env.DOCKER_CONFIG, 'config.json'), 'utf8'));
  sawEcrLogin = Object.keys(config.auths || {}).some((key) => key.includes(ECR_HOST));
} catch {}
appendFileSync(RECORD, JSON.stringify({ args, env, builders, sawEcrLogin }) + '\n');
const [, command, ...rest] = args;
if (command === 'version') {
  process.stdout.write('github.com/docker/buildx v0.0.0-standin standin\n');
  process.exit(0);
}
if (command !== 'build') {
  process.stderr.write('stand-in buildx: ' + command + ' is not implemented\n');
  process.exit(1);
}
const docker = '/usr/bin/docker';
const build = ['build'];
const tags = [];
let metadataFile;
let push = false;
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i];
  const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
  const value = () => (inline !== undefined ? inline : rest[++i]);
  switch (flag) {
    case '--file': case '--build-arg': case '--label': case '--target': case '--secret': case '--ssh':
      build.push(flag, value()); break;
    case '--tag': { const tag = value(); tags.push(tag); build.push('--tag', tag); break; }
    case '--no-cache': build.push('--no-cache'); break;
    case '--metadata-file': metadataFile = value(); break;
    case '--push': push = true; break;
    case '--load': break;
    case '--platform': case '--cache-from': case '--cache-to': case '--provenance': case '--build-context': case '--sbom': value(); break;
    default:
      if (arg.startsWith('--')) { process.stderr.write('stand-in buildx: unknown flag ' + arg + '\n'); process.exit(2); }
      build.push(arg);
  }
}
const iid = join(process.env.DOCKER_CONFIG || '/tmp', 'standin-iid');
build.splice(1, 0, '--iidfile', iid);
const built = spawnSync(docker, build, { env: { ...process.env, DOCKER_BUILDKIT: '1' }, stdio: ['ignore', 'inherit', 'inherit'] });
if (built.status !== 0) { process.stderr.write('ERROR: failed to solve: build failed\n'); process.exit(built.status || 1); }
let digest;
if (push) {
  for (const tag of tags) {
    const pushed = spawnSync(docker, ['push', tag], { env: process.env, encoding: 'utf8' });
    process.stdout.write(pushed.stdout || '');
    if (pushed.status !== 0) {
      process.stderr.write((pushed.stderr || '') + 'ERROR: failed to solve: failed to push ' + tag + ': ' + (pushed.stderr || '').trim().split('\n').pop() + '\n');
      process.exit(1);
    }
    digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed.stdout)[1];
  }
}
if (metadataFile) {
  const metadata = { 'buildx.build.ref': 'standin/standin0/' + Date.now(), 'containerimage.config.digest': readFileSync(iid, 'utf8').trim(), 'image.name': tags.join(',') };
  if (digest) metadata['containerimage.digest'] = digest;
  writeFileSync(metadataFile, JSON.stringify(metadata, null, 2));
}
`;

/** Writes `docker-buildx` into `pluginDir`; calls are appended to `recordFile` (JSON lines). */
export function writeBuildxStandIn(pluginDir: string, recordFile: string, ecrHost: string): string {
  const path = join(pluginDir, 'docker-buildx');
  writeFileSync(path, `#!${process.execPath}\nconst RECORD = ${JSON.stringify(recordFile)};\nconst ECR_HOST = ${JSON.stringify(ecrHost)};\n${BUILDX}`);
  chmodSync(path, 0o755);
  return path;
}

export function buildxCalls(recordFile: string): BuildxCall[] {
  if (!existsSync(recordFile)) return [];
  return readFileSync(recordFile, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as BuildxCall);
}

const CREDENTIAL_STORE = String.raw`
const { appendFileSync, existsSync, readFileSync, writeFileSync } = require('node:fs');
const command = process.argv[2];
const input = readFileSync(0, 'utf8');
const db = existsSync(DB) ? JSON.parse(readFileSync(DB, 'utf8')) : {};
const save = () => writeFileSync(DB, JSON.stringify(db, null, 2));
switch (command) {
  case 'store': {
    const { ServerURL, Username, Secret } = JSON.parse(input);
    appendFileSync(LOG, JSON.stringify({ command, serverURL: ServerURL, at: Date.now() }) + '\n');
    db[ServerURL] = { Username, Secret };
    save();
    break;
  }
  case 'get': {
    const serverURL = input.trim();
    appendFileSync(LOG, JSON.stringify({ command, serverURL, at: Date.now() }) + '\n');
    const found = db[serverURL] || db['https://' + serverURL] || db[serverURL.replace(/^https?:\/\//, '')];
    if (!found) { process.stdout.write('credentials not found in native keychain'); process.exit(1); }
    process.stdout.write(JSON.stringify({ ServerURL: serverURL, Username: found.Username, Secret: found.Secret }));
    break;
  }
  case 'erase': {
    const serverURL = input.trim();
    appendFileSync(LOG, JSON.stringify({ command, serverURL, at: Date.now() }) + '\n');
    delete db[serverURL];
    save();
    break;
  }
  case 'list': {
    appendFileSync(LOG, JSON.stringify({ command, at: Date.now() }) + '\n');
    process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(db).map(([url, entry]) => [url, entry.Username]))));
    break;
  }
  default:
    process.stderr.write('unknown command ' + command);
    process.exit(1);
}
`;

export interface CredentialCall {
  command: string;
  serverURL?: string;
  at: number;
}

/** Writes `docker-credential-<name>` into `binDir`; its store lives in `dbFile`, its calls in `logFile`. */
export function writeCredentialStoreStandIn(binDir: string, name: string, dbFile: string, logFile: string): string {
  const path = join(binDir, `docker-credential-${name}`);
  writeFileSync(path, `#!${process.execPath}\nconst DB = ${JSON.stringify(dbFile)};\nconst LOG = ${JSON.stringify(logFile)};\n${CREDENTIAL_STORE}`);
  chmodSync(path, 0o755);
  return path;
}

export function credentialCalls(logFile: string): CredentialCall[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CredentialCall);
}
