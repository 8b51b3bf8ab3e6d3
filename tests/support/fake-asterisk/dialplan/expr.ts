/**
 * Variable substitution (main/pbx_variables.c pbx_substitute_variables_helper_full) and a small
 * evaluator for $[...] expressions (main/ast_expr2.y): ${VAR}, ${VAR:offset:length},
 * ${FUNC(args)}, nested ${..${..}..}, and $[ ] with | & = != < > <= >= + - * / % ! ( ) and
 * quoted strings.
 */

export type Lookup = (name: string) => string | undefined;

function findClose(s: string, start: number, open: string, close: string): number {
  let depth = 1;
  for (let i = start; i < s.length; i++) {
    if (s[i] === '$' && (s[i + 1] === '{' || s[i + 1] === '[')) {
      // nested construct of either kind
      const end = findClose(s, i + 2, s[i + 1], s[i + 1] === '{' ? '}' : ']');
      if (end < 0) return -1;
      i = end;
      continue;
    }
    if (s[i] === open) depth++;
    else if (s[i] === close && --depth === 0) return i;
  }
  return -1;
}

/** pbx_variables.c substring(): ${VAR:offset:length} semantics. */
function substring(value: string, offset: number, length: number | undefined): string {
  const len = value.length;
  if (offset === 0 && length === undefined) return value;
  let start = offset;
  if (start < 0) {
    start = len + start;
    if (start < 0) start = 0;
  }
  if (start > len) return '';
  let end: number;
  if (length === undefined) end = len;
  else if (length < 0) {
    end = len + length;
    if (end < start) return '';
  } else end = Math.min(len, start + length);
  return value.slice(start, end);
}

function expandVariable(inner: string, lookup: Lookup): string {
  // Offset/length only outside of function parentheses.
  let depth = 0;
  let colon = -1;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '(') depth++;
    else if (inner[i] === ')') depth--;
    else if (inner[i] === ':' && depth === 0) {
      colon = i;
      break;
    }
  }
  let name = inner;
  let offset = 0;
  let length: number | undefined;
  if (colon >= 0) {
    name = inner.slice(0, colon);
    const rest = inner.slice(colon + 1).split(':');
    offset = parseInt(rest[0], 10) || 0;
    if (rest.length > 1 && rest[1] !== '') length = parseInt(rest[1], 10) || 0;
  }
  const value = lookup(name) ?? '';
  return substring(value, offset, length);
}

export function substitute(text: string, lookup: Lookup): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '$' && (text[i + 1] === '{' || text[i + 1] === '[')) {
      const isVar = text[i + 1] === '{';
      const end = findClose(text, i + 2, isVar ? '{' : '[', isVar ? '}' : ']');
      if (end < 0) {
        out += text.slice(i);
        break;
      }
      const inner = substitute(text.slice(i + 2, end), lookup);
      out += isVar ? expandVariable(inner, lookup) : evaluate(inner);
      i = end + 1;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/* ----------------------------- expressions ------------------------------ */

type Token = { kind: 'str' | 'op'; v: string };
const OPS = ['!=', '<=', '>=', '=~', '==', '|', '&', '=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', '?', '::', ':'];

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        v += s[j++];
      }
      out.push({ kind: 'str', v });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (op) {
      out.push({ kind: 'op', v: op });
      i += op.length;
      continue;
    }
    let j = i;
    let v = '';
    while (j < s.length && !/\s/.test(s[j]) && s[j] !== '"' && !OPS.some((o) => s.startsWith(o, j))) v += s[j++];
    out.push({ kind: 'str', v });
    i = j;
  }
  return out;
}

const isNum = (v: string): boolean => /^\s*[+-]?\d+(\.\d+)?\s*$/.test(v);
const truthy = (v: string): boolean => v !== '' && !(isNum(v) && Number(v) === 0);

class ExprParser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  private peekOp(...ops: string[]): string | null {
    const t = this.toks[this.pos];
    return t && t.kind === 'op' && ops.includes(t.v) ? t.v : null;
  }

  parse(): string {
    if (this.toks.length === 0) return '';
    return this.ternary();
  }

  private ternary(): string {
    const cond = this.or();
    if (this.peekOp('?')) {
      this.pos++;
      const a = this.ternary();
      if (this.peekOp('::')) this.pos++;
      const b = this.ternary();
      return truthy(cond) ? a : b;
    }
    return cond;
  }

  private or(): string {
    let l = this.and();
    while (this.peekOp('|')) {
      this.pos++;
      const r = this.and();
      l = truthy(l) ? l : truthy(r) ? r : '0';
    }
    return l;
  }

  private and(): string {
    let l = this.cmp();
    while (this.peekOp('&')) {
      this.pos++;
      const r = this.cmp();
      l = truthy(l) && truthy(r) ? l : '0';
    }
    return l;
  }

  private cmp(): string {
    let l = this.add();
    for (;;) {
      const op = this.peekOp('=', '==', '!=', '<', '>', '<=', '>=');
      if (!op) return l;
      this.pos++;
      const r = this.add();
      let c: number;
      if (isNum(l) && isNum(r)) c = Number(l) - Number(r);
      else c = l < r ? -1 : l > r ? 1 : 0;
      const res =
        op === '=' || op === '=='
          ? c === 0
          : op === '!='
            ? c !== 0
            : op === '<'
              ? c < 0
              : op === '>'
                ? c > 0
                : op === '<='
                  ? c <= 0
                  : c >= 0;
      l = res ? '1' : '0';
    }
  }

  private add(): string {
    let l = this.mul();
    for (;;) {
      const op = this.peekOp('+', '-');
      if (!op) return l;
      this.pos++;
      const r = this.mul();
      l = String(op === '+' ? Number(l) + Number(r) : Number(l) - Number(r));
    }
  }

  private mul(): string {
    let l = this.unary();
    for (;;) {
      const op = this.peekOp('*', '/', '%');
      if (!op) return l;
      this.pos++;
      const r = this.unary();
      const a = Number(l);
      const b = Number(r);
      l = String(op === '*' ? a * b : op === '/' ? (b === 0 ? 0 : Math.trunc(a / b)) : b === 0 ? 0 : a % b);
    }
  }

  private unary(): string {
    if (this.peekOp('!')) {
      this.pos++;
      return truthy(this.unary()) ? '0' : '1';
    }
    if (this.peekOp('-')) {
      this.pos++;
      return String(-Number(this.unary()));
    }
    return this.regex();
  }

  private regex(): string {
    const l = this.primary();
    const op = this.peekOp(':', '=~');
    if (!op) return l;
    this.pos++;
    const r = this.primary();
    try {
      const m = new RegExp(op === ':' ? '^(?:' + r + ')' : r).exec(l);
      if (!m) return op === ':' ? '0' : '0';
      return m[1] !== undefined ? m[1] : String(m[0].length);
    } catch {
      return '0';
    }
  }

  private primary(): string {
    if (this.peekOp('(')) {
      this.pos++;
      const v = this.ternary();
      if (this.peekOp(')')) this.pos++;
      return v;
    }
    const t = this.toks[this.pos++];
    return t ? t.v : '';
  }
}

export function evaluate(expr: string): string {
  return new ExprParser(tokenize(expr)).parse();
}

/** pbx_checkcondition(): empty is false, a number is its value, any other string is true. */
export function checkCondition(v: string): boolean {
  const t = v.trim();
  if (t === '') return false;
  const m = /^[+-]?\d+/.exec(t);
  if (m) return parseInt(m[0], 10) !== 0;
  return true;
}
