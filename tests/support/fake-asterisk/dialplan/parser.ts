/**
 * A parser for the subset of extensions.conf the fake interprets (pbx_config.c syntax):
 *   [context]            context header (template markers "(!)"/"(tpl)" are ignored)
 *   exten => X,1,App(args)      or  exten => X,1(label),App(args)
 *   same => n,App(args)          priority "n" = previous + 1, "s" = same as previous
 *   exten => X,hint,Stasis:name&PJSIP/101
 *   include => other-context
 *   #include file              relative to the including file's folder; a missing file is a warning
 * Comments start with ';' (not "\;"). Whitespace around tokens is ignored.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

export interface Priority {
  priority: number;
  label?: string;
  app: string;
  /** Raw application data, substituted when the priority runs. */
  data: string;
  source: string;
}

export interface Extension {
  /** As written: "7001", "_*70.", "s". */
  pattern: string;
  isPattern: boolean;
  priorities: Map<number, Priority>;
  /** Sorted priority numbers. */
  order: number[];
  hint?: string;
}

export interface Context {
  name: string;
  extensions: Map<string, Extension>;
  includes: string[];
  /** Extension patterns in Asterisk's match order (ext_cmp); rebuilt lazily. */
  sorted: Extension[] | null;
}

export interface ParseResult {
  contexts: Map<string, Context>;
  warnings: string[];
}

function stripComment(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && line[i + 1] === ';') {
      out += ';';
      i++;
      continue;
    }
    if (c === ';') break;
    out += c;
  }
  return out.trim();
}

/** Splits "exten,prio,app(data)" honouring [] in patterns and () in the app data. */
function splitExtenLine(value: string): [string, string, string] | null {
  const parts: string[] = [];
  let cur = '';
  let bracket = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (parts.length < 2) {
      if (c === '[') bracket++;
      else if (c === ']' && bracket > 0) bracket--;
      if (c === ',' && bracket === 0) {
        parts.push(cur.trim());
        cur = '';
        continue;
      }
    }
    cur += c;
  }
  parts.push(cur.trim());
  if (parts.length < 3) {
    if (parts.length === 2) return [parts[0], parts[1], ''];
    return null;
  }
  return [parts[0], parts[1], parts[2]];
}

/** "App(args)" -> ["App", "args"]; "App,args" (old syntax) -> ["App", "args"]. */
export function splitApp(appText: string): [string, string] {
  const t = appText.trim();
  const paren = t.indexOf('(');
  const comma = t.indexOf(',');
  if (paren >= 0 && (comma < 0 || paren < comma)) {
    const close = t.lastIndexOf(')');
    const data = close > paren ? t.slice(paren + 1, close) : t.slice(paren + 1);
    return [t.slice(0, paren).trim(), data];
  }
  if (comma >= 0) return [t.slice(0, comma).trim(), t.slice(comma + 1)];
  return [t, ''];
}

export class DialplanParser {
  readonly warnings: string[] = [];
  private ctx: Context | null = null;
  private lastExten: Extension | null = null;
  private lastPriority = 0;

  constructor(readonly contexts: Map<string, Context>) {}

  parseFile(file: string, depth = 0): void {
    if (!existsSync(file)) {
      this.warnings.push(`#include file '${file}' not found`);
      return;
    }
    this.parseText(readFileSync(file, 'utf8'), file, dirname(file), depth);
  }

  parseText(text: string, source = '<text>', baseDir = process.cwd(), depth = 0): void {
    const lines = text.split(/\r?\n/);
    for (let n = 0; n < lines.length; n++) {
      const where = `${source}:${n + 1}`;
      const raw = lines[n];
      const trimmed = raw.trim();
      if (trimmed.startsWith('#include') || trimmed.startsWith('#tryinclude')) {
        const arg = trimmed.replace(/^#(try)?include\s*/, '').replace(/^["<]|[">]$/g, '').trim();
        if (depth > 20) {
          this.warnings.push(`${where}: #include nesting too deep`);
          continue;
        }
        const file = isAbsolute(arg) ? arg : join(baseDir, arg);
        this.parseFile(file, depth + 1);
        continue;
      }
      const line = stripComment(raw);
      if (!line) continue;
      const header = /^\[([^\]]+)\]\s*(\(.*\))?$/.exec(line);
      if (header) {
        const name = header[1].trim();
        let ctx = this.contexts.get(name);
        if (!ctx) {
          ctx = { name, extensions: new Map(), includes: [], sorted: null };
          this.contexts.set(name, ctx);
        }
        this.ctx = ctx;
        this.lastExten = null;
        continue;
      }
      const kv = /^([A-Za-z]+)\s*=>?\s*(.*)$/.exec(line);
      if (!kv) {
        this.warnings.push(`${where}: cannot parse '${line}'`);
        continue;
      }
      const key = kv[1].toLowerCase();
      const value = kv[2];
      if (!this.ctx) {
        if (key !== 'static' && key !== 'writeprotect' && key !== 'clearglobalvars') {
          this.warnings.push(`${where}: '${key}' outside of a context`);
        }
        continue;
      }
      if (key === 'include') {
        this.ctx.includes.push(value.split(',')[0].trim());
        continue;
      }
      if (key === 'exten' || key === 'same') {
        this.addExten(key, value, where);
        continue;
      }
      // globals section entries, switch =>, ignorepat => ... are ignored.
    }
  }

  private addExten(key: 'exten' | 'same', value: string, where: string): void {
    const ctx = this.ctx!;
    let patternText: string;
    let prioText: string;
    let appText: string;
    if (key === 'same') {
      if (!this.lastExten) {
        this.warnings.push(`${where}: 'same =>' without a previous extension`);
        return;
      }
      const comma = value.indexOf(',');
      if (comma < 0) {
        this.warnings.push(`${where}: cannot parse '${value}'`);
        return;
      }
      patternText = this.lastExten.pattern;
      prioText = value.slice(0, comma).trim();
      appText = value.slice(comma + 1);
    } else {
      const parts = splitExtenLine(value);
      if (!parts) {
        this.warnings.push(`${where}: cannot parse '${value}'`);
        return;
      }
      [patternText, prioText, appText] = parts;
      // "exten => 123/callerid,..." caller-id matching is not supported: keep the extension part.
      patternText = patternText.split('/')[0].trim();
    }
    let exten = ctx.extensions.get(patternText);
    if (!exten) {
      exten = {
        pattern: patternText,
        isPattern: patternText.startsWith('_'),
        priorities: new Map(),
        order: [],
      };
      ctx.extensions.set(patternText, exten);
      ctx.sorted = null;
    }
    if (prioText.toLowerCase() === 'hint') {
      exten.hint = appText.trim();
      this.lastExten = exten;
      return;
    }
    const m = /^(n|s|\d+)(?:\+(\d+))?(?:\(([^)]*)\))?$/i.exec(prioText);
    if (!m) {
      this.warnings.push(`${where}: bad priority '${prioText}'`);
      return;
    }
    let prio: number;
    if (m[1].toLowerCase() === 'n') prio = (this.lastExten === exten ? this.lastPriority : 0) + 1;
    else if (m[1].toLowerCase() === 's') prio = this.lastExten === exten ? this.lastPriority : 1;
    else prio = parseInt(m[1], 10);
    if (m[2]) prio += parseInt(m[2], 10);
    const [app, data] = splitApp(appText);
    if (exten.priorities.has(prio)) {
      this.warnings.push(`${where}: priority ${prio} of '${patternText}' in [${ctx.name}] replaced`);
    } else {
      exten.order.push(prio);
      exten.order.sort((a, b) => a - b);
    }
    exten.priorities.set(prio, { priority: prio, label: m[3] || undefined, app, data, source: where });
    this.lastExten = exten;
    this.lastPriority = prio;
  }
}
