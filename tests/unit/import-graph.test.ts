import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The service's modules must form a tree: a cycle means two modules each need the other's
// internals, which is where shared helpers were left in the wrong place. Type-only imports count
// too, so the picture matches what import-graph tools (madge, farm-studio) draw.
const root = resolve(__dirname, '../../apps/parking/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

// `import ... from './x'`, `export ... from './x'`, `import './x'` and `import('./x')`, over several lines.
const specifiers = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
  return [`${base}.ts`, join(base, 'index.ts')].find((path) => existsSync(path));
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(specifiers)]
      .map((match) => resolveImport(file, match[1]))
      .filter((path): path is string => path !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle found by a depth-first search, each written as a → b → a. */
function findCycles(graph: Map<string, string[]>): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    const at = stack.indexOf(file);
    if (at >= 0) {
      cycles.push([...stack.slice(at), file].map((path) => relative(root, path)).join(' → '));
      return;
    }
    if (done.has(file)) return;
    stack.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    stack.pop();
    done.add(file);
  };
  for (const file of [...graph.keys()].sort()) visit(file);
  return cycles;
}

describe('import graph of apps/parking/src', () => {
  it('finds the imports it is meant to check', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(20);
    const routeEvent = graph.get(join(root, 'usecases/route-event.ts')) ?? [];
    expect(routeEvent).toContain(join(root, 'usecases/caller-left.ts'));
  });

  it('has no import cycle', () => {
    const cycles = findCycles(importGraph());
    if (cycles.length > 0) console.error(`import cycles:\n${cycles.join('\n')}`);
    expect(cycles).toEqual([]);
  });
});
