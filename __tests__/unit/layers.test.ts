// Imports only point down (issue 28, item 3; docs/layout.md "Which way imports point").
// entry points (index.ts, post.ts, action/, cli/) → modes → services → adapters → domain → util,
// with settings/ and report/ beside modes: modes and entry points use them; they use only domain/
// and util/ (settings turn raw inputs into typed values, report turns typed results into words).
// Modes are scripts over services: they import services/, settings/ and report/, never adapters/ or
// domain/ directly (a client, a rule or a type they need comes through a service).
// log.ts and errors.ts are ports every layer may use. Types count as imports: a service states
// the narrow parameter object it needs (in domain/ or in the service), never a settings/ type.
// This test reads every `import … from`, `export … from` and `import(…)` in src/ and names each one
// that points up or sideways, and each import cycle between files.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';

const src = join(import.meta.dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

// `import x from '…'`, `import type { … } from '…'` (over several lines), `import '…'`,
// `export { … } from '…'`, `export * from '…'`, and `import('…')`.
const importPattern = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every relative import in src/, as [from, to] paths relative to src/ (`.js` read as `.ts`). */
export function imports(): [string, string][] {
  return sourceFiles(src).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(importPattern)]
      .map((match) => match[1] ?? match[2])
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier): [string, string] => [relative(src, file), relative(src, normalize(join(dirname(file), specifier))).replace(/\.js$/, '.ts')]),
  );
}

type Layer = 'entry' | 'port' | 'modes' | 'settings' | 'report' | 'services' | 'adapters' | 'domain' | 'util';

function layerOf(path: string): Layer {
  if (path === 'index.ts' || path === 'post.ts') return 'entry';
  if (path === 'log.ts' || path === 'errors.ts') return 'port';
  const top = path.split('/')[0];
  if (top === 'action' || top === 'cli') return 'entry';
  if (['modes', 'settings', 'report', 'services', 'adapters', 'domain', 'util'].includes(top)) return top as Layer;
  throw new Error(`${path}: in no layer; add its folder to __tests__/unit/layers.test.ts`);
}

// What each layer may import (its own layer included, and the ports).
const below: Record<Layer, Layer[]> = {
  entry: ['entry', 'modes', 'settings', 'report', 'services', 'adapters', 'domain', 'util', 'port'],
  modes: ['modes', 'settings', 'report', 'services', 'util', 'port'],
  settings: ['settings', 'domain', 'util', 'port'],
  report: ['report', 'domain', 'util', 'port'],
  services: ['services', 'adapters', 'domain', 'util', 'port'],
  adapters: ['adapters', 'domain', 'util', 'port'],
  domain: ['domain', 'util', 'port'],
  util: ['util', 'port'],
  port: ['util', 'port'],
};

/** adapters/aws and adapters/docker are siblings: neither imports the other; both may use net/.
 *  The files directly in adapters/ (the manifest and proposed-state readers) are one family. */
function sideways(from: string, to: string): boolean {
  if (layerOf(from) !== 'adapters' || layerOf(to) !== 'adapters') return false;
  const family = (path: string) => (path.split('/').length > 2 ? path.split('/')[1] : 'files');
  return family(from) !== family(to) && family(to) !== 'net';
}

// Imports that must stay for now, each with the reason. Keep it empty.
const allowed: string[] = [];
export function violations(edges: [string, string][] = imports()): string[] {
  return edges
    .filter(([from, to]) => !below[layerOf(from)].includes(layerOf(to)) || sideways(from, to))
    .map(([from, to]) => `${from} -> ${to}`)
    .filter((edge) => !allowed.includes(edge));
}

/** Each import cycle between files, once, as a → b → … → a. */
export function cycles(edges: [string, string][] = imports()): string[] {
  const next = new Map<string, string[]>();
  for (const [from, to] of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const found = new Set<string>();
  const done = new Set<string>();
  const walk = (node: string, path: string[]) => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const loop = path.slice(at);
      const start = loop.indexOf([...loop].sort()[0]);
      found.add([...loop.slice(start), ...loop.slice(0, start), loop[start]].join(' -> '));
      return;
    }
    if (done.has(node)) return;
    for (const to of next.get(node) ?? []) walk(to, [...path, node]);
    done.add(node);
  };
  for (const node of next.keys()) walk(node, []);
  return [...found].sort();
}

describe('imports point only down (docs/layout.md)', () => {
  it('the parser reads the imports of src/ (a sanity check on the reader itself)', () => {
    const edges = imports().map(([from, to]) => `${from} -> ${to}`);
    assert.ok(edges.includes('index.ts -> action/main.ts'), 'the static import of the entry point');
    assert.ok(edges.includes('modes/run.ts -> modes/verify.ts'), 'a dynamic import(…)');
    assert.ok(edges.length > 300, `only ${edges.length} imports read`);
  });

  it('the rule names an import that points up or sideways', () => {
    assert.deepEqual(
      violations([
        ['domain/a.ts', 'services/b.ts'],
        ['services/a.ts', 'settings/b.ts'],
        ['services/a.ts', 'report/b.ts'],
        ['report/a.ts', 'settings/b.ts'],
        ['adapters/aws/a.ts', 'adapters/docker/b.ts'],
        ['adapters/aws/a.ts', 'adapters/net/b.ts'],
        ['modes/a.ts', 'adapters/aws/b.ts'],
        ['modes/a.ts', 'domain/b.ts'],
        ['modes/a.ts', 'services/b.ts'],
        ['util/a.ts', 'errors.ts'],
      ]),
      [
        'domain/a.ts -> services/b.ts',
        'services/a.ts -> settings/b.ts',
        'services/a.ts -> report/b.ts',
        'report/a.ts -> settings/b.ts',
        'adapters/aws/a.ts -> adapters/docker/b.ts',
        'modes/a.ts -> adapters/aws/b.ts',
        'modes/a.ts -> domain/b.ts',
      ],
    );
    assert.deepEqual(
      cycles([
        ['report/b.ts', 'report/a.ts'],
        ['report/a.ts', 'report/b.ts'],
      ]),
      ['report/a.ts -> report/b.ts -> report/a.ts'],
    );
  });

  it('a mode imports no adapter and no domain file: it is a script over services', () => {
    const found = imports()
      .filter(([from, to]) => layerOf(from) === 'modes' && ['adapters', 'domain'].includes(layerOf(to)))
      .map(([from, to]) => `${from} -> ${to}`);
    assert.deepEqual(found, [], `${found.length} imports from modes/ reach past services:\n${found.join('\n')}`);
  });

  it('no import in src/ points up or sideways', () => {
    const found = violations();
    assert.deepEqual(found, [], `${found.length} imports point up or sideways:\n${found.join('\n')}`);
  });

  it('no two files in src/ import each other, directly or around a loop', () => {
    const found = cycles();
    assert.deepEqual(found, [], `${found.length} import cycles:\n${found.join('\n')}`);
  });
});
