// own process: it kills every process below its own (as the action does on SIGTERM), which in a
// shared process would take the other files' helpers with it (tsx's esbuild service): scripts/test.ts runs it alone.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { killProcessesOfOurs, processesOfOurs } from '../../src/action/processes.js';

/** A `sleep` whose parent shell has exited: reparented outside our tree, as a CLI plugin is when its docker client is killed. */
function orphan(env: NodeJS.ProcessEnv): number {
  return Number(execFileSync('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim());
}
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return !alive(pid);
}

describe('on SIGTERM: the processes that could write into the private DOCKER_CONFIG', () => {
  it('a child of ours, and an orphan started with our DOCKER_CONFIG; never an orphan of another folder; all of ours killed', async () => {
    const dir = `/tmp/publish-image-docker-T${process.pid}`;
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const ours = orphan({ DOCKER_CONFIG: dir });
    const stranger = orphan({ DOCKER_CONFIG: `${dir}x` });
    try {
      const found = processesOfOurs(dir);
      assert.ok(found.includes(child.pid!), 'a child of ours');
      assert.ok(found.includes(ours), 'an orphan with DOCKER_CONFIG=<our folder>');
      assert.ok(!found.includes(stranger), 'an orphan of another folder is not ours');
      assert.ok(killProcessesOfOurs(dir) >= 1);
      assert.ok(await gone(ours), 'the orphan of ours is killed');
      assert.ok(await gone(child.pid!), 'the child is killed');
      assert.ok(alive(stranger), 'the stranger lives');
    } finally {
      child.kill('SIGKILL');
      for (const pid of [ours, stranger]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('without a folder (before the build): our own tree only', () => {
    const stranger = orphan({});
    try {
      assert.ok(!processesOfOurs(undefined).includes(stranger));
    } finally {
      process.kill(stranger, 'SIGKILL');
    }
  });
});
