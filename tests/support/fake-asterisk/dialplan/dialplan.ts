/**
 * The loaded dialplan: contexts from files and from loadDialplan(text), extension lookup with
 * includes (pbx_find_extension), labels (ast_findlabel_extension) and hints.
 */
import { resolve } from 'node:path';
import type { Context, Priority } from './parser';
import { DialplanParser } from './parser';
import { extensionMatches, sortedExtensions } from './match';

export interface Location {
  context: string;
  exten: string;
  priority: number;
}

export class Dialplan {
  contexts = new Map<string, Context>();
  readonly warnings: string[] = [];
  private readonly files: string[] = [];

  loadFile(file: string): void {
    const abs = resolve(file);
    this.files.push(abs);
    const parser = new DialplanParser(this.contexts);
    parser.parseFile(abs);
    this.warnings.push(...parser.warnings);
  }

  /**
   * `dialplan reload` / reloading pbx_config.so: the contexts are rebuilt from the files, read
   * again now (text added with loadText() is gone, as in Asterisk, where it has no file).
   */
  reload(): void {
    const contexts = new Map<string, Context>();
    const parser = new DialplanParser(contexts);
    for (const file of this.files) parser.parseFile(file);
    this.warnings.push(...parser.warnings);
    this.contexts = contexts;
  }

  /** Adds contexts; a context present in `text` replaces the loaded one of the same name. */
  loadText(text: string, source = '<loadDialplan>'): void {
    const fresh = new Map<string, Context>();
    const parser = new DialplanParser(fresh);
    parser.parseText(text, source);
    this.warnings.push(...parser.warnings);
    for (const [name, ctx] of fresh) this.contexts.set(name, ctx);
  }

  removeContext(name: string): boolean {
    return this.contexts.delete(name);
  }

  /** Finds the priority to run, searching the context and then its includes, depth first. */
  find(context: string, exten: string, priority: number): Priority | undefined {
    return this.search(context, exten, (e) => e.priorities.get(priority), new Set());
  }

  exists(context: string, exten: string, priority = 1): boolean {
    return this.find(context, exten, priority) !== undefined;
  }

  findLabel(context: string, exten: string, label: string): number | undefined {
    const p = this.search(
      context,
      exten,
      (e) => {
        for (const pr of e.priorities.values()) if (pr.label === label) return pr;
        return undefined;
      },
      new Set(),
    );
    return p?.priority;
  }

  hint(context: string, exten: string): string | undefined {
    return this.searchHint(context, exten, new Set());
  }

  private search<T>(
    context: string,
    exten: string,
    pick: (e: import('./parser').Extension) => T | undefined,
    seen: Set<string>,
  ): T | undefined {
    if (seen.has(context)) return undefined;
    seen.add(context);
    const ctx = this.contexts.get(context);
    if (!ctx) return undefined;
    for (const e of sortedExtensions(ctx)) {
      if (!extensionMatches(e.pattern, exten)) continue;
      const found = pick(e);
      if (found !== undefined) return found;
    }
    for (const inc of ctx.includes) {
      const found = this.search(inc, exten, pick, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private searchHint(context: string, exten: string, seen: Set<string>): string | undefined {
    if (seen.has(context)) return undefined;
    seen.add(context);
    const ctx = this.contexts.get(context);
    if (!ctx) return undefined;
    for (const e of sortedExtensions(ctx)) {
      if (e.hint !== undefined && extensionMatches(e.pattern, exten)) return e.hint;
    }
    for (const inc of ctx.includes) {
      const h = this.searchHint(inc, exten, seen);
      if (h !== undefined) return h;
    }
    return undefined;
  }
}
