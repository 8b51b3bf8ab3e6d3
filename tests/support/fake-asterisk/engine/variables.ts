/**
 * Channel variables and dialplan functions (pbx_builtin_setvar_helper, func_*.c reads and writes).
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine } from '../engine';
import type { CallerId, Channel } from '../state';
import { astTimestamp } from '../util';

/**
 * pbx_builtin_setvar_helper(): names ending in ')' are function writes; otherwise the variable
 * is replaced and ChannelVarset published (also for an empty value); a NULL value deletes it
 * and publishes "" only if the old value was not empty.
 */
export function setVar(e: Engine, ch: Channel | null, name: string, value: string | undefined): void {
  if (name.endsWith(')')) {
    writeFunction(e, ch, name, value ?? '');
    return;
  }
  const stripped = name.replace(/^__?/, '');
  if (!ch) {
    if (value === undefined) e.globals.delete(stripped);
    else e.globals.set(stripped, value);
    return;
  }
  const old = ch.vars.get(stripped);
  ch.vars.delete(stripped);
  if (value !== undefined) {
    ch.vars.set(stripped, value);
    publishVarset(e, ch, name, value);
  } else if (old) {
    publishVarset(e, ch, name, '');
  }
}

function publishVarset(e: Engine, ch: Channel, name: string, value: string): void {
  e.apps.channelEvent(ch, () => ({
    variable: name,
    value,
    type: 'ChannelVarset',
    timestamp: astTimestamp(),
    channel: e.channelJson(ch),
  }));
  e.notify();
}

function writeFunction(e: Engine, ch: Channel | null, expr: string, value: string): void {
  const m = /^([A-Za-z_]+)\((.*)\)$/.exec(expr);
  if (!m || !ch) return;
  const fn = m[1].toUpperCase();
  const args = m[2].split(',').map((s) => s.trim());
  if (fn === 'PJSIP_HEADER' && args[0].toLowerCase() === 'add' && args[1]) {
    ch.headers[args[1]] = value;
  } else if (fn === 'PJSIP_HEADER' && args[0].toLowerCase() === 'remove' && args[1]) {
    delete ch.headers[args[1]];
  } else if (fn === 'CALLERID') {
    if (/^num/i.test(args[0])) ch.caller = { ...ch.caller, number: value };
    else if (/^name/i.test(args[0])) ch.caller = { ...ch.caller, name: value };
    else if (/^all/i.test(args[0])) ch.caller = parseCallerId(value);
  } else if (fn === 'CONNECTEDLINE') {
    if (/^num/i.test(args[0])) ch.connected = { ...ch.connected, number: value };
    else if (/^name/i.test(args[0])) ch.connected = { ...ch.connected, name: value };
  } else if (fn === 'CHANNEL' && /^language$/i.test(args[0])) {
    ch.language = value;
  } else if (fn === 'CHANNEL' && /^musicclass$/i.test(args[0])) {
    ch.vars.set('__MUSICCLASS', value);
  }
}

/** Reads a variable the way the dialplan does: functions, builtins, channel then globals. */
export function readVar(e: Engine, ch: Channel | null, name: string): string | undefined {
  const fm = /^([A-Za-z_]+)\((.*)\)$/.exec(name);
  if (fm) return readFunction(e, ch, fm[1].toUpperCase(), fm[2]);
  if (ch) {
    const v = ch.getVar(name);
    if (v !== undefined) return v;
    switch (name) {
      case 'EXTEN':
        return ch.exten;
      case 'CONTEXT':
        return ch.context;
      case 'PRIORITY':
        return String(ch.priority);
      case 'CHANNEL':
        return ch.name;
      case 'UNIQUEID':
        return ch.id;
      case 'HANGUPCAUSE':
        return String(ch.hangupCause);
      case 'EPOCH':
        return String(Math.floor(Date.now() / 1000));
      case 'LANGUAGE':
        return ch.language;
    }
  }
  return e.globals.get(name.replace(/^__?/, ''));
}

function readFunction(e: Engine, ch: Channel | null, fn: string, argText: string): string | undefined {
  const args = argText.split(',').map((s) => s.trim());
  switch (fn) {
    case 'CALLERID':
      if (!ch) return '';
      if (/^num/i.test(args[0])) return ch.caller.number;
      if (/^name/i.test(args[0])) return ch.caller.name;
      if (/^all/i.test(args[0])) return `"${ch.caller.name}" <${ch.caller.number}>`;
      return '';
    case 'CONNECTEDLINE':
      if (!ch) return '';
      return /^num/i.test(args[0]) ? ch.connected.number : ch.connected.name;
    case 'CHANNEL':
      if (!ch) return '';
      if (/^name$/i.test(args[0])) return ch.name;
      if (/^uniqueid$/i.test(args[0])) return ch.id;
      if (/^state$/i.test(args[0])) return ch.state;
      if (/^language$/i.test(args[0])) return ch.language;
      return '';
    case 'LEN':
      return String(argText.length);
    case 'PJSIP_HEADER':
      if (!ch) return '';
      return ch.headers[args[1] ?? ''] ?? '';
    case 'DEVICE_STATE':
      return e.deviceState(argText);
    case 'EXTENSION_STATE': {
      const [ext, ctx] = argText.split('@');
      return e.extensionState(ctx || 'default', ext).toUpperCase().replace('&', '');
    }
    case 'GLOBAL':
      return e.globals.get(argText) ?? '';
    case 'IFMODULE':
      // funcs/func_module.c: "1" if the module is running, else "0".
      return e.modules.has(argText.trim()) ? '1' : '0';
    default:
      return undefined;
  }
}

/** ast_callerid_parse(): `"Name" <number>`, `Name <number>`, a bare number, or a bare name. */
export function parseCallerId(input: string): CallerId {
  const s = input.trim();
  const lt = s.lastIndexOf('<');
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    const number = s.slice(lt + 1, gt >= 0 ? gt : undefined).trim();
    let name = s.slice(0, lt).trim();
    if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1);
    return { name, number };
  }
  const unq = s.startsWith('"') && s.endsWith('"') && s.length >= 2 ? s.slice(1, -1) : s;
  if (/^[0-9+*#\-() .]+$/.test(unq)) {
    // ast_shrink_phone_number(): drop "-", "(", ")", ".", spaces.
    return { name: '', number: unq.replace(/[-(). ]/g, '') };
  }
  return { name: unq, number: '' };
}
