// What `npm test`, `npm run demo` and `npm run bench` need on the machine, installed when missing:
// Debian's Docker engine, registry and helpers, and moto in python3. As root it installs them and
// says what; otherwise it stops with the exact command to run. One list, used by every script and CI.
import { execFileSync, spawnSync } from 'node:child_process';

/** Debian packages the local stack uses (dockerd, the registry, htpasswd, a static busybox, TLS, a real proxy). */
export const STACK_PACKAGES = ['docker.io', 'docker-registry', 'apache2-utils', 'busybox-static', 'openssl', 'tinyproxy', 'openssh-client', 'util-linux'];
/** The benchmark also compares with Debian's aws CLI and measures memory with GNU time. */
export const BENCH_PACKAGES = ['awscli', 'time'];

function installed(pkg: string): boolean {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

function motoImportable(python: string): boolean {
  return spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Installs what is missing (as root), or throws with the command that would. */
export function ensureStack(options: { bench?: boolean; log?: (line: string) => void } = {}): void {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const wanted = [...STACK_PACKAGES, ...(options.bench ? BENCH_PACKAGES : [])];
  const missing = wanted.filter((pkg) => !installed(pkg));
  const python = process.env.PUBLISH_IMAGE_PYTHON ?? 'python3';
  const motoMissing = !motoImportable(python);
  if (missing.length === 0 && !motoMissing) return;

  const aptCommand = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(' ')}`;
  const pipCommand = `${python} -m pip install 'moto[server]'`;
  if (!isRoot()) {
    const commands = [missing.length > 0 ? `sudo sh -c '${aptCommand}'` : '', motoMissing ? pipCommand : ''].filter(Boolean);
    throw new Error(
      `The local stack needs ${[...missing, ...(motoMissing ? ['moto'] : [])].join(', ')}, and this is not root. Run:\n  ${commands.join('\n  ')}`,
    );
  }
  if (missing.length > 0) {
    log(`Installing Debian packages: ${missing.join(' ')} (apt-get)`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  if (motoMissing) {
    log(`Installing moto in ${python} (pip install 'moto[server]')`);
    execFileSync(python, ['-m', 'pip', 'install', '-q', 'moto[server]'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureStack({ bench: process.argv.includes('--bench') });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
