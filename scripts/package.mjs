// Rebuilds dist/: one bundle per entry point (the action, its post: step, the CLI), plus the
// licences of everything bundled. ncc exits 0 on some broken bundles, so tests run dist/ itself.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const entries = [
  ['src/index.ts', 'dist'],
  ['src/post.ts', 'dist/post'],
];
rmSync('dist', { recursive: true, force: true });
for (const [entry, out] of entries) {
  execFileSync('npx', ['ncc', 'build', entry, '-o', out, '--license', 'licenses.txt', '--target', 'es2022', '-q'], { stdio: 'inherit' });
}
