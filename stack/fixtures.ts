import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './action.js';

/** A build context holding examples/hello plus Debian's static busybox (FROM scratch can then RUN). */
export function helloContext(dockerfile?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'context-'));
  copyFileSync('/bin/busybox', join(dir, 'busybox'));
  if (dockerfile === undefined) copyFileSync(join(ROOT, 'examples', 'hello', 'Dockerfile'), join(dir, 'Dockerfile'));
  else writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}
