import { UserError } from '../errors.js';
import type { RunReport } from '../report/model.js';
import { runText } from '../report/run-text.js';
import type { Settings } from '../settings/settings.js';
import type { DockerConfigKeeper } from './publish.js';

const MINIMUM_NODE_MAJOR = 20;

export function assertNodeVersion(): void {
  const major = Number.parseInt(process.versions.node.split('.')[0], 10);
  if (major < MINIMUM_NODE_MAJOR) {
    throw new UserError(runText.nodeTooOld(MINIMUM_NODE_MAJOR, process.versions.node));
  }
}

/** What only an entry point can give a mode: where the private DOCKER_CONFIG is recorded (publish). */
export interface EntryPoint {
  dockerConfig: DockerConfigKeeper;
}

/** The mode the settings ask for; each mode module is loaded only when used (start-up time). */
export async function runMode(settings: Settings, entry: EntryPoint): Promise<RunReport> {
  switch (settings.mode) {
    case 'publish':
      return (await import('./publish.js')).publishImage(settings, entry.dockerConfig);
    case 'verify':
      return (await import('./verify.js')).verify(settings);
    case 'reconcile':
      return (await import('./reconcile.js')).reconcile(settings);
  }
}
