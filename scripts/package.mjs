// Rebuilds dist/: one bundle per entry point (the action and its post: step), plus the licence of
// every production dependency (dist/licenses.txt). ncc exits 0 on some broken bundles, so the
// tests run dist/ itself.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const entries = [
  ['src/index.ts', 'dist'],
  ['src/post.ts', 'dist/post'],
];
rmSync('dist', { recursive: true, force: true });
for (const [entry, out] of entries) {
  execFileSync('npx', ['ncc', 'build', entry, '-o', out, '--target', 'es2022', '--minify', '-q'], { stdio: 'inherit' });
}

// Every package a production install brings, with its licence text: what dist/ may contain.
const tree = JSON.parse(execFileSync('npm', ['ls', '--omit=dev', '--all', '--json'], { encoding: 'utf8' }));
const packages = new Map();
(function walk(dependencies = {}) {
  for (const [name, info] of Object.entries(dependencies)) {
    if (!packages.has(name)) packages.set(name, info.version);
    walk(info.dependencies);
  }
})(tree.dependencies);

const sections = [...packages.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, version]) => {
  const dir = join('node_modules', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licenceFile = existsSync(dir) ? readdirSync(dir).find((file) => /^(licen[cs]e|copying)/i.test(file)) : undefined;
  const text = licenceFile ? readFileSync(join(dir, licenceFile), 'utf8').trim() : '(no licence file shipped)';
  return `${name}@${version}\n${manifest.license ?? 'UNKNOWN'}\n${text}`;
});
writeFileSync('dist/licenses.txt', `${sections.join('\n\n')}\n`);
