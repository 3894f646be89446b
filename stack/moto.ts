import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServer, stopServer, waitFor } from './process.js';

export interface Moto {
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function assertMotoInstalled(python: string): void {
  try {
    execFileSync(python, ['-c', 'import moto.server'], { stdio: 'ignore' });
  } catch {
    throw new Error(`moto is not importable by ${python}. Install it: pip install 'moto[server]' (tests never skip without it).`);
  }
}

/** moto's server with the V1-only registry policy check lifted (see moto-server.py: nothing else differs). */
const MOTO_SERVER = join(dirname(fileURLToPath(import.meta.url)), 'moto-server.py');

/** moto in server mode on a free loopback port, started from an empty folder (a `moto/` dir would shadow the package). */
export async function startMoto(): Promise<Moto> {
  const python = process.env.PUBLISH_IMAGE_PYTHON ?? 'python3';
  assertMotoInstalled(python);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'moto-'));
  const child: ChildProcess = startServer(python, [MOTO_SERVER, '-H', '127.0.0.1', '-p', String(port)], join(dir, 'moto.log'), {
    cwd: dir,
    // Account is chosen per request (access keys, assumed roles); MOTO_ACCOUNT_ID would override that.
    env: { ...process.env, MOTO_ACCOUNT_ID: undefined },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor('moto', async () => (await fetch(`${endpoint}/moto-api/`)).ok);
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
