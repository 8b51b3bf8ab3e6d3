/**
 * The dialplan interpreter (main/pbx.c __ast_pbx_run) and the applications the fake supports:
 * Answer, NoOp, Verbose, Log, Set, MSet, Goto, GotoIf, Gosub, Return, Hangup, Playback, Wait,
 * Progress, Ringing, MusicOnHold, Echo, Dial, Stasis, Park, ParkedCall, ChannelRedirect.
 * Unknown applications hang the channel up, as Asterisk does ("No application ...").
 */
import type { Engine } from '../engine';
import type { Channel, WakeReason } from '../state';
import { separateArgs, atoi } from '../util';
import { checkCondition, substitute } from './expr';

export type AppResult = 'next' | 'jumped' | 'goto' | 'hangup';

interface Frame {
  context: string;
  exten: string;
  priority: number;
}

/**
 * Runs the dialplan on a channel from its current location. `resume` is the result of an
 * application already in progress when the PBX is attached (call(): the caller sits in Dial()).
 */
export async function runPbx(engine: Engine, start: Channel, resume?: () => Promise<AppResult>): Promise<void> {
  let ch = start;
  let gen = ++ch.pbxGen;
  ch.pbxRunning = true;
  const stack: Frame[] = [];
  let steps = 0;
  try {
    if (resume) {
      const res = await resume();
      if (!ch.movedTo && (ch.pbxGen !== gen || ch.dead)) return;
      if (res === 'hangup' && !ch.movedTo) {
        if (!ch.dead && ch.pbxGen === gen) engine.pbxEnded(ch);
        return;
      }
      if (res === 'next') ch.priority++;
    }
    for (;;) {
      if (ch.movedTo) {
        while (ch.movedTo) ch = ch.movedTo;
        gen = ++ch.pbxGen;
        ch.pbxRunning = true;
      }
      if (ch.pbxGen !== gen || ch.dead) return;
      if (ch.asyncGoto) {
        const g = ch.asyncGoto;
        ch.asyncGoto = null;
        engine.setLocation(ch, g.context, g.exten, g.priority);
      }
      if (++steps % 200 === 0) await new Promise<void>((r) => setImmediate(r));
      if (ch.pbxGen !== gen || ch.dead) return;
      const prio = engine.dialplan.find(ch.context, ch.exten, ch.priority);
      if (!prio) {
        if (ch.priority === 1 && !engine.dialplan.exists(ch.context, ch.exten)) {
          engine.warnings.push(`Channel '${ch.name}' sent to invalid extension ${ch.exten}@${ch.context}`);
        }
        break;
      }
      const data = substitute(prio.data, (n) => engine.readVar(ch, n));
      ch.appName = prio.app;
      ch.appData = data;
      engine.dialplanEvent(ch);
      let res: AppResult;
      try {
        res = await runApp(engine, ch, prio.app, data, stack);
      } catch (e) {
        engine.warnings.push(`${prio.source}: ${prio.app}(${data}) failed: ${(e as Error).message}`);
        res = 'hangup';
      }
      if (ch.movedTo) continue;
      if (ch.pbxGen !== gen || ch.dead) return;
      if (res === 'hangup') break;
      if (res === 'next') ch.priority++;
    }
    if (!ch.dead && ch.pbxGen === gen) engine.pbxEnded(ch);
  } finally {
    if (ch.pbxGen === gen) ch.pbxRunning = false;
  }
}

/** Parses "[[context,]exten,]priority" relative to a channel (ast_parseable_goto). */
export function parseGoto(engine: Engine, ch: Channel, target: string): { context: string; exten: string; priority: number } | null {
  const parts = target.split(',').map((s) => s.trim());
  let context = ch.context;
  let exten = ch.exten;
  let prioText: string;
  if (parts.length >= 3) {
    [context, exten, prioText] = parts;
    if (context === '') context = ch.context;
  } else if (parts.length === 2) {
    [exten, prioText] = parts;
  } else {
    prioText = parts[0];
  }
  if (exten === '') exten = ch.exten;
  let priority: number;
  if (/^\d+$/.test(prioText)) priority = parseInt(prioText, 10);
  else if (/^[+-]\d+$/.test(prioText)) priority = ch.priority + parseInt(prioText, 10);
  else {
    const p = engine.dialplan.findLabel(context, exten, prioText);
    if (p === undefined) return null;
    priority = p;
  }
  return { context, exten, priority };
}

/** Waits until the channel is out of every bridge; says why. */
export async function waitOutOfBridge(engine: Engine, ch: Channel): Promise<'hangup' | 'goto' | 'ended'> {
  for (;;) {
    if (ch.dead) return 'hangup';
    if (!ch.bridge) return ch.asyncGoto ? 'goto' : 'ended';
    await engine.waitWake(ch);
  }
}

/** Applications registered by a module: unknown while that module is not loaded. */
const APP_MODULES: Record<string, string> = { park: 'res_parking.so', parkedcall: 'res_parking.so', parkandannounce: 'res_parking.so' };

async function runApp(engine: Engine, ch: Channel, appName: string, data: string, stack: Frame[]): Promise<AppResult> {
  let app = appName.toLowerCase();
  if (APP_MODULES[app] && !engine.modules.has(APP_MODULES[app])) app = `(not loaded) ${app}`;
  switch (app) {
    case 'noop':
    case 'verbose':
    case 'log':
    case 'wait':
    case 'waitexten':
      return 'next';

    case 'answer':
      if (ch.state !== 'Up') engine.setState(ch, 'Up');
      return 'next';

    case 'progress':
      return 'next';

    case 'ringing':
      ch.ringing = true;
      if (ch.tech === 'Local' && ch.localPeer?.dial && !ch.localPeer.dial.outcome.settled) {
        // The ;1 half of a Local pair being dialed sees the ringing indication.
        const one = ch.localPeer;
        engine.setState(one, 'Ringing');
        engine.publishDial(one.dial!.caller, one, one.dial!.dialstring, 'RINGING');
      }
      return 'next';

    case 'set': {
      const eq = data.indexOf('=');
      if (eq < 0) return 'next';
      engine.setVar(ch, data.slice(0, eq).trim(), data.slice(eq + 1));
      return 'next';
    }

    case 'mset': {
      for (const pair of separateArgs(data)) {
        const eq = pair.indexOf('=');
        if (eq > 0) engine.setVar(ch, pair.slice(0, eq).trim(), pair.slice(eq + 1));
      }
      return 'next';
    }

    case 'goto': {
      const loc = parseGoto(engine, ch, data);
      if (!loc) {
        engine.warnings.push(`Goto(${data}): no such label on ${ch.name}`);
        return 'hangup';
      }
      engine.setLocation(ch, loc.context, loc.exten, loc.priority);
      return 'jumped';
    }

    case 'gotoif': {
      const q = data.indexOf('?');
      const cond = q >= 0 ? data.slice(0, q) : data;
      const branches = q >= 0 ? data.slice(q + 1) : '';
      const colon = branches.indexOf(':');
      const iftrue = colon >= 0 ? branches.slice(0, colon) : branches;
      const iffalse = colon >= 0 ? branches.slice(colon + 1) : '';
      const chosen = checkCondition(cond) ? iftrue : iffalse;
      if (chosen.trim() === '') return 'next';
      const loc = parseGoto(engine, ch, chosen.trim());
      if (!loc) {
        engine.warnings.push(`GotoIf(${data}): no such label on ${ch.name}`);
        return 'hangup';
      }
      engine.setLocation(ch, loc.context, loc.exten, loc.priority);
      return 'jumped';
    }

    case 'gosub': {
      const paren = data.indexOf('(');
      const target = paren >= 0 ? data.slice(0, paren) : data;
      const args = paren >= 0 ? separateArgs(data.slice(paren + 1, data.lastIndexOf(')'))) : [];
      const loc = parseGoto(engine, ch, target);
      if (!loc) return 'hangup';
      stack.push({ context: ch.context, exten: ch.exten, priority: ch.priority + 1 });
      args.forEach((a, i) => engine.setVar(ch, `ARG${i + 1}`, a));
      engine.setLocation(ch, loc.context, loc.exten, loc.priority);
      return 'jumped';
    }

    case 'return': {
      const frame = stack.pop();
      if (!frame) return 'hangup';
      if (data !== '') engine.setVar(ch, 'GOSUB_RETVAL', data);
      engine.setLocation(ch, frame.context, frame.exten, frame.priority);
      return 'jumped';
    }

    case 'hangup': {
      const cause = atoi(data);
      if (cause > 0) ch.hangupCause = cause;
      else if (!ch.hangupCause) ch.hangupCause = 16;
      return 'hangup';
    }

    case 'playback': {
      const args = separateArgs(data);
      const options = args[1] ?? '';
      if (ch.state !== 'Up' && !/noanswer/i.test(options)) engine.setState(ch, 'Up');
      // app_playback.c: a missing file is a warning and PLAYBACKSTATUS=FAILED; the dialplan goes on.
      const files = (args[0] ?? '').split('&').filter(Boolean);
      const missing = files.filter((f) => !engine.soundExists(f));
      for (const f of missing) engine.warnings.push(`File ${f} does not exist in any format`);
      engine.setVar(ch, 'PLAYBACKSTATUS', missing.length ? 'FAILED' : 'SUCCESS');
      return 'next';
    }

    case 'musiconhold':
    case 'echo': {
      if (ch.state !== 'Up') engine.setState(ch, 'Up');
      if (app === 'musiconhold') engine.startChannelMoh(ch, separateArgs(data)[0]);
      for (;;) {
        const r: WakeReason = await engine.waitWake(ch);
        if (ch.dead || r === 'hangup') return 'hangup';
        if (ch.asyncGoto) {
          ch.moh = null;
          return 'goto';
        }
      }
    }

    case 'stasis':
      return stasisApp(engine, ch, data);

    case 'dial':
      return dialApp(engine, ch, data);

    case 'park': {
      if (ch.state !== 'Up') engine.setState(ch, 'Up');
      const lot = separateArgs(data)[0] || 'default';
      engine.park(ch, lot);
      const r = await waitOutOfBridge(engine, ch);
      if (r === 'goto') return 'goto';
      return 'hangup';
    }

    case 'parkedcall': {
      if (ch.state !== 'Up') engine.setState(ch, 'Up');
      const lot = separateArgs(data)[0] || 'default';
      const parkee = engine.retrieveParked(lot);
      if (!parkee) return 'hangup';
      engine.connectParked(ch, parkee);
      const r = await waitOutOfBridge(engine, ch);
      return r === 'goto' ? 'goto' : 'hangup';
    }

    case 'channelredirect': {
      const args = separateArgs(data);
      const target = engine.channelByNameOrId(args[0] ?? '');
      if (!target || target.dead) {
        engine.setVar(ch, 'CHANNELREDIRECT_STATUS', 'NOCHANNEL');
        return 'next';
      }
      const loc = parseGoto(engine, target, args.slice(1).join(','));
      if (!loc) {
        engine.setVar(ch, 'CHANNELREDIRECT_STATUS', 'NOCHANNEL');
        return 'next';
      }
      engine.asyncGoto(target, loc.context, loc.exten, loc.priority);
      engine.setVar(ch, 'CHANNELREDIRECT_STATUS', 'SUCCESS');
      return 'next';
    }

    default:
      engine.warnings.push(`No application '${appName}' for extension (${ch.context}, ${ch.exten}, ${ch.priority})`);
      return 'hangup';
  }
}

/** Stasis(app[,args...]) (apps/app_stasis.c). */
async function stasisApp(engine: Engine, ch: Channel, data: string): Promise<AppResult> {
  const [appName, ...args] = separateArgs(data);
  engine.setVar(ch, 'STASISSTATUS', '');
  const entered = appName ? engine.enterStasis(ch, appName, args) : null;
  if (!entered) {
    engine.setVar(ch, 'STASISSTATUS', 'FAILED');
    return ch.dead ? 'hangup' : 'next';
  }
  const exit = await entered;
  let cur = ch;
  while (cur.movedTo) cur = cur.movedTo;
  if (exit.kind === 'hangup' || cur.dead) return 'hangup';
  engine.setVar(cur, 'STASISSTATUS', 'SUCCESS');
  engine.setLocation(cur, exit.context, exit.exten, exit.priority);
  if (cur.asyncGoto) cur.asyncGoto = null;
  return 'jumped';
}

/** Dial(Tech/res[&Tech/res...][,timeout[,options]]) (apps/app_dial.c), PJSIP targets only. */
async function dialApp(engine: Engine, ch: Channel, data: string): Promise<AppResult> {
  const args = separateArgs(data);
  const targets = (args[0] ?? '').split('&').map((t) => t.trim()).filter(Boolean);
  const timeoutSec = atoi(args[1]);
  const statuses: string[] = [];
  const attempts: Array<{ peer: Channel; outcome: Promise<{ answered: boolean; cause: number }> }> = [];
  for (const t of targets) {
    const slash = t.indexOf('/');
    const tech = slash >= 0 ? t.slice(0, slash).toUpperCase() : t.toUpperCase();
    const resource = slash >= 0 ? t.slice(slash + 1) : '';
    const phone = tech === 'PJSIP' ? engine.phones.get(resource.split('/')[0]) : undefined;
    if (!phone || !phone.online) {
      statuses.push('CHANUNAVAIL');
      continue;
    }
    const peer = engine.createPjsipChannel(phone, {
      outgoing: true,
      state: 'Down',
      caller: { name: '', number: phone.number },
      context: phone.context,
      exten: phone.number,
    });
    peer.connected = { ...ch.caller };
    peer.appName = 'AppDial';
    peer.appData = '(Outgoing Line)';
    const attempt = engine.placeCall(peer, ch, resource, timeoutSec > 0 ? timeoutSec * 1000 : 0);
    attempts.push({ peer, outcome: attempt.outcome.promise });
  }
  if (attempts.length === 0) {
    engine.setVar(ch, 'DIALSTATUS', statuses[0] ?? 'CHANUNAVAIL');
    return 'next';
  }
  // Wait for the first answer, all failures, the caller hanging up, or an async goto.
  const answered = await new Promise<Channel | null>((resolve) => {
    let pending = attempts.length;
    let done = false;
    for (const a of attempts) {
      void a.outcome.then((r) => {
        if (done) return;
        if (r.answered) {
          done = true;
          resolve(a.peer);
          return;
        }
        statuses.push(r.cause === 17 ? 'BUSY' : r.cause === 34 ? 'CONGESTION' : r.cause === 3 ? 'CHANUNAVAIL' : 'NOANSWER');
        if (--pending === 0) {
          done = true;
          resolve(null);
        }
      });
    }
    void engine.waitWake(ch).then(() => {
      if (done) return;
      if (ch.dead || ch.asyncGoto) {
        done = true;
        resolve(null);
      }
    });
  });
  // Cancel the others (CANCEL; answered elsewhere when someone answered).
  for (const a of attempts) {
    if (a.peer !== answered && !a.peer.dead) {
      if (a.peer.dial) engine.finishDial(a.peer, { answered: false, cause: answered ? 26 : 16 });
      engine.destroyChannel(a.peer, answered ? 26 : 16);
    }
  }
  if (ch.dead) {
    if (answered && !answered.dead) engine.destroyChannel(answered, 16);
    return 'hangup';
  }
  if (!answered) {
    if (ch.asyncGoto) return 'goto';
    const status = statuses.includes('BUSY')
      ? 'BUSY'
      : statuses.includes('CONGESTION')
        ? 'CONGESTION'
        : statuses.every((s) => s === 'CHANUNAVAIL')
          ? 'CHANUNAVAIL'
          : 'NOANSWER';
    engine.setVar(ch, 'DIALSTATUS', status);
    return 'next';
  }
  if (ch.state !== 'Up') engine.setState(ch, 'Up');
  const phone = answered.phone!;
  ch.connected = { name: phone.name, number: phone.number };
  engine.setVar(ch, 'DIALSTATUS', 'ANSWER');
  engine.setVar(ch, 'DIALEDPEERNAME', answered.name);
  engine.bridgeCall(ch, answered);
  const r = await waitOutOfBridge(engine, ch);
  if (r === 'goto') return 'goto';
  // ast_bridge_call() returns -1 when the bridge ends: the PBX hangs the caller up.
  if (!ch.hangupCause) ch.hangupCause = 16;
  return 'hangup';
}

/**
 * call(): walks the caller's dialplan synchronously up to its Dial(), through NoOp, Verbose,
 * Log, Set, Answer, Progress, Ringing, Goto and GotoIf, and returns the Dial() data.
 */
export function walkToDial(engine: Engine, ch: Channel): string {
  for (let i = 0; i < 200; i++) {
    const prio = engine.dialplan.find(ch.context, ch.exten, ch.priority);
    if (!prio) throw new Error(`${ch.exten}@${ch.context} ends before any Dial()`);
    const data = substitute(prio.data, (n) => engine.readVar(ch, n));
    ch.appName = prio.app;
    ch.appData = data;
    const app = prio.app.toLowerCase();
    if (app === 'dial') return data;
    if (app === 'noop' || app === 'verbose' || app === 'log' || app === 'progress' || app === 'ringing') {
      ch.priority++;
    } else if (app === 'answer') {
      engine.setState(ch, 'Up');
      ch.priority++;
    } else if (app === 'set') {
      const eq = data.indexOf('=');
      if (eq > 0) engine.setVar(ch, data.slice(0, eq).trim(), data.slice(eq + 1));
      ch.priority++;
    } else if (app === 'goto' || app === 'gotoif') {
      let target = data;
      if (app === 'gotoif') {
        const q = data.indexOf('?');
        const branches = q >= 0 ? data.slice(q + 1) : '';
        const colon = branches.indexOf(':');
        target = checkCondition(q >= 0 ? data.slice(0, q) : data)
          ? colon >= 0 ? branches.slice(0, colon) : branches
          : colon >= 0 ? branches.slice(colon + 1) : '';
        if (target.trim() === '') {
          ch.priority++;
          continue;
        }
      }
      const loc = parseGoto(engine, ch, target.trim());
      if (!loc) throw new Error(`bad Goto target ${target}`);
      engine.setLocation(ch, loc.context, loc.exten, loc.priority);
    } else {
      throw new Error(`${ch.exten}@${ch.context} reaches ${prio.app}() before any Dial()`);
    }
  }
  throw new Error('dialplan loop');
}

export { substitute };
