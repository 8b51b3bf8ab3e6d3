/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by package (node_modules/<pkg>),
 * by project file, and the top functions. `npx tsx tests/bench/lib/profile-summary.ts <file>`.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time attributed to the nearest project function up the stack (else the nearest package). */
  byCaller: Array<{ caller: string; ms: number; pct: number }>;
  byArea: Array<{ area: string; ms: number; pct: number }>;
  topFunctions: Array<{ fn: string; ms: number; pct: number }>;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(dist\/)?(apps\/parking\/src\/[^/]+(?:\/[^/]+)?|generated\/[^/]+)/.exec(url);
  return m ? m[2].replace(/\.js$/, '') : url.replace(/^file:\/\//, '');
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const callerOf = (id: number): string => {
    let pkg: string | null = null;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (/apps\/parking\/src\//.test(f.url)) return `${f.functionName || '(anonymous)'} ${area(f.url, '')}`;
      if (!pkg && f.url && !f.url.startsWith('node:')) pkg = area(f.url, f.functionName);
    }
    return pkg ? `(no project frame) ${pkg}` : `(no project frame) ${area(byId.get(id)!.callFrame.url, byId.get(id)!.callFrame.functionName)}`;
  };
  const callers = new Map<string, number>();
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') continue;
    total += us;
    const a = area(n.callFrame.url, n.callFrame.functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${a}:${n.callFrame.lineNumber + 1}`;
    const c = callerOf(id);
    callers.set(c, (callers.get(c) ?? 0) + us);
    fns.set(f, (fns.get(f) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) =>
    [...m].sort((x, y) => y[1] - x[1]).slice(0, top).map(([k, us]) => ({ k, ms: Math.round(us / 100) / 10, pct: Math.round((us / total) * 1000) / 10 }));
  return {
    totalMs: Math.round(total / 1000),
    byCaller: sorted(callers).map(({ k, ms, pct }) => ({ caller: k, ms, pct })),
    byArea: sorted(areas).map(({ k, ms, pct }) => ({ area: k, ms, pct })),
    topFunctions: sorted(fns).map(({ k, ms, pct }) => ({ fn: k, ms, pct })),
  };
}

if (require.main === module) {
  const s = summarizeProfile(process.argv[2], Number(process.argv[3] ?? 25));
  console.log(`busy ${s.totalMs} ms`);
  for (const a of s.byArea) console.log(`${String(a.pct).padStart(5)}%  ${a.area}`);
  console.log('');
  for (const c of s.byCaller) console.log(`${String(c.pct).padStart(5)}%  ${c.caller}`);
  console.log('');
  for (const f of s.topFunctions) console.log(`${String(f.pct).padStart(5)}%  ${f.fn}`);
}
