import { readdirSync, readFileSync } from 'node:fs';

/**
 * The processes that could still write into the private DOCKER_CONFIG once we remove it: every
 * process below this one (the docker client, its CLI plugins, what they start), and every process
 * that was started with `DOCKER_CONFIG=<dir>`: a plugin forked by the docker client just after a
 * scan is orphaned when the client is killed, and then only its environment says it is ours.
 * Linux's /proc names each process's parent (field 4 of /proc/PID/stat, after the command in
 * parentheses) and its environment; elsewhere there is nothing to read and the list is empty.
 */
export function processesOfOurs(dockerConfig: string | undefined): number[] {
  const parentOf = new Map<number, number>();
  const ours = new Set<number>();
  const marker = dockerConfig ? Buffer.from(`DOCKER_CONFIG=${dockerConfig}\0`) : undefined;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie (killed, not yet reaped: we cannot reap during the sweep) writes nothing.
      if (state === 'Z') continue;
      parentOf.set(pid, Number(parent));
      if (marker && readFileSync(`/proc/${entry}/environ`).includes(marker)) ours.add(pid);
    } catch {
      // Gone meanwhile, or another user's.
    }
  }
  const below = new Set<number>([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parentOf)
      if (below.has(parent) && !below.has(pid)) {
        below.add(pid);
        grew = true;
      }
  }
  below.delete(process.pid);
  return [...new Set([...below, ...ours])];
}

/**
 * Kills what `processesOfOurs` finds, again and again until a sweep finds nothing (a process may
 * fork while we look), at most `rounds` sweeps. Returns how many sweeps found something.
 */
export function killProcessesOfOurs(dockerConfig: string | undefined, rounds = 20): number {
  let busy = 0;
  for (let round = 0; round < rounds; round++) {
    const found = processesOfOurs(dockerConfig);
    if (found.length === 0) break;
    busy++;
    for (const pid of found) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  return busy;
}
