import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, StopWaiting, stopServer, waitFor } from './process.js';

export interface Moto {
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The one error for a missing moto. Not checked beforehand: importing moto takes a second of CPU, and
 * the server fails the same import at once; its log says so.
 */
function motoMissing(python: string, log: string): Error | undefined {
  if (!/No module named '?moto/.test(log)) return undefined;
  return new StopWaiting(`moto is not importable by ${python}. Install it: pip install 'moto[server]' (tests never skip without it).`);
}

/** moto's server with the V1-only registry policy check lifted (see moto-server.py: nothing else differs). */
const MOTO_SERVER = join(dirname(fileURLToPath(import.meta.url)), 'moto-server.py');

/** moto in server mode on a free loopback port, started from an empty folder (a `moto/` dir would shadow the package). */
export async function startMoto(): Promise<Moto> {
  const python = process.env.PUBLISH_IMAGE_PYTHON ?? 'python3';
  const dir = mkdtempSync(join(tmpdir(), 'moto-'));
  const log = join(dir, 'moto.log');
  // Port 0: the OS gives the port as moto binds it. A port found free beforehand may be taken by a
  // test file running beside this one before moto binds it, and two files would then share one moto.
  const child: ChildProcess = startServer(python, [MOTO_SERVER, '-H', '127.0.0.1', '-p', '0'], log, {
    cwd: dir,
    // Account is chosen per request (access keys, assumed roles); MOTO_ACCOUNT_ID would override that.
    env: { ...process.env, MOTO_ACCOUNT_ID: undefined },
  });
  let port = 0;
  await waitFor('moto', async () => {
    if (child.exitCode !== null) {
      const text = readFileSync(log, 'utf8');
      throw motoMissing(python, text) ?? new StopWaiting(`moto exited: ${text.slice(-500)}`);
    }
    port = Number(/Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(readFileSync(log, 'utf8'))?.[1] ?? 0);
    return port > 0 && (await fetch(`http://127.0.0.1:${port}/moto-api/`)).ok;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    async stop() {
      await stopServer(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the action may write, as moto holds it: repositories (policy, settings) and roles (inline policies). */
export async function writableState(endpoint: string): Promise<unknown> {
  const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as {
    ecr?: { Repository?: { account_id: string; name: string; policy: string | null; image_tag_mutability: string }[] };
    iam?: { Role?: { account_id: string; name: string; policies: Record<string, string>; managed_policies: Record<string, unknown> }[] };
  };
  return {
    repositories: (data.ecr?.Repository ?? []).map((r) => [r.account_id, r.name, r.policy, r.image_tag_mutability]).sort(),
    roles: (data.iam?.Role ?? []).map((r) => [r.account_id, r.name, r.policies, Object.keys(r.managed_policies)]).sort(),
  };
}
