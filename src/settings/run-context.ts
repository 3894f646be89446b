import { readFileSync } from 'node:fs';

import type { RunContext } from '../domain/build/inputs.js';

export type { RunContext };

function readDefaultBranch(eventPath: string | undefined): string | undefined {
  if (!eventPath) return undefined;
  try {
    const event = JSON.parse(readFileSync(eventPath, 'utf8')) as { repository?: { default_branch?: string } };
    return event.repository?.default_branch || undefined;
  } catch {
    return undefined; // No readable event payload (e.g. run from a terminal): fall back below.
  }
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const server = env.GITHUB_SERVER_URL;
  const repository = env.GITHUB_REPOSITORY;
  return {
    sha: env.GITHUB_SHA || undefined,
    ref: env.GITHUB_REF || undefined,
    defaultBranch: readDefaultBranch(env.GITHUB_EVENT_PATH),
    sourceUrl: server && repository ? `${server.replace(/\/$/, '')}/${repository}` : undefined,
    runId: env.GITHUB_RUN_ID || undefined,
    tempDir: env.RUNNER_TEMP || (env.TMPDIR ?? '/tmp'),
  };
}
