/**
 * /channels (res/ari/resource_channels.c).
 */
import type { Engine } from '../engine';
import { parseCallerId } from '../engine';
import { allocFailed, err } from '../errors';
import type { AriRequest, ParamValue } from '../route-types';
import { isEmpty, list, num, str } from '../route-types';
import type { Channel } from '../state';
import { later, separateArgs } from '../util';
import type { Route } from './common';
import { body, checkState, created, findControl, noContent, ok, parseVariables, path, q } from './common';

const KNOWN_FORMATS = new Set([
  'ulaw', 'alaw', 'gsm', 'g722', 'g723', 'g726', 'g726aal2', 'g729', 'ilbc', 'lpc10', 'speex', 'speex16', 'speex32',
  'slin', 'slin12', 'slin16', 'slin24', 'slin32', 'slin44', 'slin48', 'slin96', 'slin192', 'opus', 'siren7', 'siren14',
  'testlaw', 'adpcm', 'h261', 'h263', 'h263p', 'h264', 'h265', 'mpeg4', 'vp8', 'vp9', 'red', 't140', 't140red',
]);

/** Channels made by POST /channels/create keep their dial string for POST /dial (save_dialstring). */
const createdDialstrings = new WeakMap<Channel, string>();

const HANGUP_REASONS: Record<string, number> = {
  normal: 16,
  busy: 17,
  congestion: 34,
  no_answer: 19,
  timeout: 18,
  rejected: 21,
  unallocated: 1,
  normal_unspecified: 31,
  number_incomplete: 28,
  codec_mismatch: 58,
  interworking: 127,
  failure: 38,
  answered_elsewhere: 26,
};

function checkFormats(formats: string | undefined): void {
  if (isEmpty(formats)) return;
  for (const f of formats!.split(',').map((s) => s.trim())) {
    if (!KNOWN_FORMATS.has(f)) throw err(400, `Provided format (${f}) was not found`);
  }
}

/**
 * ast_request() for ARI: PJSIP/<endpoint> needs a configured endpoint with a reachable contact
 * (chan_pjsip.c request() -> ast_sip_session_create_outgoing(): without a contact the dialog
 * cannot be created and the request fails); Local/<exten>@<context> always works. A failed
 * request answers 500 {"error":"Allocation failed"}; a clashing id answers 409.
 */
function requestChannel(
  engine: Engine,
  tech: string,
  device: string,
  id: string | undefined,
  id2: string | undefined,
): Channel {
  const t = tech.toUpperCase();
  if (t === 'PJSIP') {
    const phone = engine.phones.get(device.split('/')[0]);
    if (!phone || !phone.online) throw allocFailed();
    if (engine.idConflicts(id, id2)) throw err(409, 'Channel with given unique ID already exists', 'Conflict');
    const ch = engine.createPjsipChannel(phone, {
      id,
      outgoing: true,
      state: 'Down',
      caller: { name: '', number: '' },
      context: 'default',
      exten: 's',
    });
    ch.appName = 'AppDial2';
    ch.appData = '(Outgoing Line)';
    return ch;
  }
  if (t === 'LOCAL') {
    if (!device.includes('@') && device === '') throw allocFailed();
    if (engine.idConflicts(id, id2)) throw err(409, 'Channel with given unique ID already exists', 'Conflict');
    const [one] = engine.createLocalPair(device, id, id2);
    one.appName = 'AppDial2';
    one.appData = '(Outgoing Line)';
    return one;
  }
  throw allocFailed();
}

type Target = { app: string; args: string[] } | { context: string; exten: string; priority: number };

function originate(engine: Engine, req: AriRequest, pathId?: string): ReturnType<typeof ok> {
  const p = req.params;
  const { vars, report } = req.body ? parseVariables(req.body) : { vars: [], report: [] };
  const channelId = pathId ?? str(p.channelId);
  const otherId = str(p.otherChannelId);
  if ((channelId && channelId.length > 149) || (otherId && otherId.length > 149)) {
    throw err(400, 'Uniqueid length exceeds maximum of 149');
  }
  const endpoint = str(p.endpoint);
  if (isEmpty(endpoint)) throw err(400, 'Endpoint must be specified');
  if (!isEmpty(str(p.originator)) && !isEmpty(str(p.formats))) {
    throw err(400, "Originator and formats can't both be specified");
  }
  const slash = endpoint!.indexOf('/');
  const tech = slash >= 0 ? endpoint!.slice(0, slash) : endpoint!;
  const device = slash >= 0 ? endpoint!.slice(slash + 1) : '';
  if (isEmpty(tech) || isEmpty(device)) throw err(400, 'Invalid endpoint specified');

  let target: Target;
  const app = str(p.app);
  if (!isEmpty(app)) {
    const appArgs = str(p.appArgs);
    target = { app: app!, args: isEmpty(appArgs) ? [] : separateArgs(appArgs!) };
  } else if (!isEmpty(str(p.extension))) {
    const context = str(p.context) || 'default';
    const exten = str(p.extension)!;
    let priority = num(p.priority) || 1;
    const label = str(p.label);
    if (!isEmpty(label)) {
      if (/^\s*-?\d+/.test(label!)) priority = parseInt(label!, 10);
      else {
        const found = engine.dialplan.findLabel(context, exten, label!);
        if (found === undefined) throw err(404, 'Requested label can not be found');
        priority = found;
      }
      if (priority === 0) throw err(400, 'Requested priority is illegal');
    }
    target = { context, exten, priority };
  } else {
    throw err(400, 'Application or extension must be specified');
  }

  const timeout = num(p.timeout);
  const timeoutMs = timeout > 0 ? timeout * 1000 : timeout === -1 ? 0 : 30_000;
  const callerId = str(p.callerId);
  const originator = str(p.originator);
  if (!isEmpty(originator) && !engine.channelByNameOrId(originator!)) {
    throw err(400, 'Provided originator channel was not found');
  }
  checkFormats(str(p.formats));

  const ch = requestChannel(engine, tech, device, channelId, otherId);
  if (!isEmpty(callerId)) {
    const cid = parseCallerId(callerId!);
    ch.caller = { ...cid };
    ch.connected = { ...cid };
  }
  for (const [k, v] of vars) engine.setVar(ch, k, v);
  if ('app' in target && engine.apps.get(target.app)) {
    engine.apps.subscribeChannel(target.app, ch);
    if (ch.localPeer) engine.apps.subscribeChannel(target.app, ch.localPeer);
  }
  for (const r of report) ch.reportable.add(r);
  const json = engine.channelJson(ch);
  later(() => dialAndRun(engine, ch, target, device, timeoutMs));
  return ok(json);
}

/** ari_originate_dial(): dial, then Stasis(app,args) or the dialplan once answered. */
function dialAndRun(engine: Engine, ch: Channel, target: Target, dialstring: string, timeoutMs: number): void {
  if (ch.dead) return;
  const attempt = engine.placeCall(ch, null, dialstring, timeoutMs);
  void attempt.outcome.promise.then((r) => {
    if (!r.answered || ch.dead) return;
    if ('app' in target) {
      ch.appName = 'Stasis';
      ch.appData = [target.app, ...target.args].join(',');
      const entered = engine.enterStasis(ch, target.app, target.args);
      if (!entered) {
        engine.destroyChannel(ch, 16);
        return;
      }
      void entered.then((exit) => engine.afterStasis(ch, exit));
    } else {
      engine.startPbx(ch, target.context, target.exten, target.priority);
    }
  });
}

function create(engine: Engine, req: AriRequest): ReturnType<typeof ok> {
  const p = req.params;
  const { vars, report } = req.body ? parseVariables(req.body) : { vars: [], report: [] };
  if (!isEmpty(str(p.originator)) && !isEmpty(str(p.formats))) {
    throw err(400, "Originator and formats can't both be specified");
  }
  const endpoint = str(p.endpoint);
  if (isEmpty(endpoint)) throw err(400, 'Endpoint must be specified');
  const slash = endpoint!.indexOf('/');
  const tech = slash >= 0 ? endpoint!.slice(0, slash) : endpoint!;
  const device = slash >= 0 ? endpoint!.slice(slash + 1) : '';
  if (isEmpty(tech) || isEmpty(device)) throw err(400, 'Invalid endpoint specified');
  const originator = str(p.originator);
  const origChan = !isEmpty(originator) ? engine.channelByNameOrId(originator!) : undefined;
  const app = str(p.app) ?? '';
  if (!origChan) checkFormats(str(p.formats));
  else if (app && engine.apps.get(app)) engine.apps.subscribeChannel(app, origChan);
  const ch = requestChannel(engine, tech, device, str(p.channelId), str(p.otherChannelId));
  if (app && engine.apps.get(app)) {
    engine.apps.subscribeChannel(app, ch);
  }
  for (const [k, v] of vars) engine.setVar(ch, k, v);
  for (const r of report) ch.reportable.add(r);
  createdDialstrings.set(ch, device);
  const appArgs = str(p.appArgs);
  const args = isEmpty(appArgs) ? [] : separateArgs(appArgs!);
  const json = engine.channelJson(ch);
  // ari_channel_thread(): Stasis(app,args) right away, then hang up when it returns.
  later(() => {
    if (ch.dead) return;
    ch.appName = 'Stasis';
    ch.appData = [app, ...args].join(',');
    const entered = engine.enterStasis(ch, app, args);
    if (!entered) {
      engine.destroyChannel(ch, 16);
      return;
    }
    void entered.then((exit) => engine.afterStasis(ch, exit));
  });
  return ok(json);
}

function play(engine: Engine, req: AriRequest, playbackId: string | undefined) {
  const ch = findControl(engine, str(req.params.channelId));
  checkState(ch);
  const skipms = num(req.params.skipms);
  const offsetms = num(req.params.offsetms);
  if (skipms < 0) throw err(400, 'skipms cannot be negative');
  if (offsetms < 0) throw err(400, 'offsetms cannot be negative');
  const media = list(req.params.media);
  if (media.length === 0 || media.some((m) => m === '')) throw err(500, 'Failed to queue media for playback');
  const pb = engine.createPlayback(ch, media, str(req.params.lang), playbackId);
  return created(`/playbacks/${pb.id}`, pb.toJSON());
}

/** Runs an async control command (stasis_app_send_command_async): answered 204 at once. */
function asyncCommand(engine: Engine, ch: Channel, run: () => void) {
  void engine.command(ch, run);
  return noContent();
}

function simpleOp(
  nickname: string,
  method: 'POST' | 'DELETE',
  suffix: string,
  summary: string,
  run: (engine: Engine, ch: Channel, p: Record<string, ParamValue>) => void,
  extraParams = [] as ReturnType<typeof q>[],
): Route {
  return {
    resource: 'channels',
    method,
    path: `/channels/{channelId}/${suffix}`,
    nickname,
    summary,
    responseClass: 'void',
    params: [path('channelId', "Channel's id"), ...extraParams],
    errors: [
      [404, 'Channel not found'],
      [409, 'Channel not in a Stasis application'],
      [412, 'Channel in invalid state'],
    ],
    handler: (engine, req) => {
      const ch = findControl(engine, str(req.params.channelId));
      checkState(ch);
      return asyncCommand(engine, ch, () => run(engine, ch, req.params));
    },
  };
}

const ORIGINATE_PARAMS = [
  q('endpoint', 'string', { required: true }),
  q('extension'),
  q('context'),
  q('priority', 'long'),
  q('label'),
  q('app'),
  q('appArgs'),
  q('callerId'),
  q('timeout', 'int', { defaultValue: 30 }),
  body('variables'),
];

export const channelRoutes: Route[] = [
  {
    resource: 'channels',
    method: 'GET',
    path: '/channels',
    nickname: 'list',
    summary: 'List all active channels in Asterisk.',
    responseClass: 'List[Channel]',
    params: [],
    errors: [],
    handler: (engine) => ok([...engine.channels.values()].map((c) => engine.channelJson(c))),
  },
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels',
    nickname: 'originate',
    summary: 'Create a new channel (originate).',
    responseClass: 'Channel',
    params: [...ORIGINATE_PARAMS, q('channelId'), q('otherChannelId'), q('originator'), q('formats')],
    errors: [
      [400, 'Invalid parameters for originating a channel.'],
      [409, 'Channel with given unique ID already exists.'],
    ],
    handler: (engine, req) => originate(engine, req),
  },
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels/create',
    nickname: 'create',
    summary: 'Create channel.',
    responseClass: 'Channel',
    params: [
      q('endpoint', 'string', { required: true }),
      q('app', 'string', { required: true }),
      q('appArgs'),
      q('channelId'),
      q('otherChannelId'),
      q('originator'),
      q('formats'),
      body('variables'),
    ],
    errors: [[409, 'Channel with given unique ID already exists.']],
    handler: (engine, req) => create(engine, req),
  },
  {
    resource: 'channels',
    method: 'GET',
    path: '/channels/{channelId}',
    nickname: 'get',
    summary: 'Channel details.',
    responseClass: 'Channel',
    params: [path('channelId', "Channel's id")],
    errors: [[404, 'Channel not found']],
    handler: (engine, req) => {
      const ch = engine.channel(str(req.params.channelId) ?? '');
      if (!ch || ch.dead) throw err(404, 'Channel not found');
      return ok(engine.channelJson(ch));
    },
  },
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels/{channelId}',
    nickname: 'originateWithId',
    summary: 'Create a new channel (originate with id).',
    responseClass: 'Channel',
    params: [path('channelId', 'The unique id to assign the channel on creation.'), ...ORIGINATE_PARAMS, q('otherChannelId'), q('originator'), q('formats')],
    errors: [
      [400, 'Invalid parameters for originating a channel.'],
      [409, 'Channel with given unique ID already exists.'],
    ],
    handler: (engine, req) => originate(engine, req, str(req.params.channelId)),
  },
  {
    resource: 'channels',
    method: 'DELETE',
    path: '/channels/{channelId}',
    nickname: 'hangup',
    summary: 'Delete (i.e. hangup) a channel.',
    responseClass: 'void',
    params: [
      path('channelId', "Channel's id"),
      q('reason_code'),
      q('reason', 'string', {
        allowableValues: Object.keys(HANGUP_REASONS),
      }),
    ],
    errors: [
      [400, 'Invalid reason for hangup provided'],
      [404, 'Channel not found'],
    ],
    handler: (engine, req) => {
      const ch = engine.channelByNameOrId(str(req.params.channelId) ?? '');
      if (!ch || ch.dead) throw err(404, 'Channel not found');
      const reason = str(req.params.reason);
      const code = str(req.params.reason_code);
      if (!isEmpty(reason) && !isEmpty(code)) throw err(400, "The reason and reason_code can't both be specified");
      let cause = 16;
      if (!isEmpty(code)) {
        const m = /^\s*[+-]?\d+/.exec(code!);
        if (!m) throw err(400, 'Invalid reason for hangup reason code provided', 'Invalid Reason Code');
        cause = parseInt(m[0], 10);
      } else if (!isEmpty(reason)) {
        if (HANGUP_REASONS[reason!] === undefined) {
          throw err(400, 'Invalid reason for hangup reason provided', 'Invalid Reason');
        }
        cause = HANGUP_REASONS[reason!];
      }
      engine.ariHangup(ch, cause);
      return noContent();
    },
  },
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels/{channelId}/continue',
    nickname: 'continueInDialplan',
    summary: 'Exit application; continue execution in the dialplan.',
    responseClass: 'void',
    params: [path('channelId', "Channel's id"), q('context'), q('extension'), q('priority', 'int'), q('label')],
    errors: [
      [404, 'Channel not found'],
      [409, 'Channel not in a Stasis application'],
      [412, 'Channel in invalid state'],
    ],
    handler: (engine, req) => {
      const p = req.params;
      const ch = findControl(engine, str(p.channelId));
      checkState(ch);
      const argContext = str(p.context);
      const argExten = str(p.extension);
      let context: string;
      let exten: string;
      if (isEmpty(argContext)) {
        context = ch.context;
        exten = !isEmpty(argExten) ? argExten! : ch.exten;
      } else {
        context = argContext!;
        exten = !isEmpty(argExten) ? argExten! : 's';
      }
      let priority: number;
      const label = str(p.label);
      if (!isEmpty(label)) {
        if (/^\s*-?\d+/.test(label!)) priority = parseInt(label!, 10);
        else {
          const found = engine.dialplan.findLabel(context, exten, label!);
          if (found === undefined) throw err(404, 'Requested label can not be found');
          priority = found;
        }
        if (priority === 0) throw err(400, 'Requested priority is illegal');
      } else if (num(p.priority)) {
        priority = num(p.priority);
      } else if (isEmpty(argContext) && isEmpty(argExten)) {
        priority = ch.priority + 1;
      } else {
        priority = 1;
      }
      return asyncCommand(engine, ch, () => {
        if (ch.stasis) engine.leaveStasis(ch, { kind: 'continue', context, exten, priority });
      });
    },
  },
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels/{channelId}/move',
    nickname: 'move',
    summary: 'Move the channel from one Stasis application to another.',
    responseClass: 'void',
    params: [path('channelId', "Channel's id"), q('app', 'string', { required: true }), q('appArgs')],
    errors: [
      [404, 'Channel not found'],
      [409, 'Channel not in a Stasis application'],
    ],
    handler: (engine, req) => {
      const ch = findControl(engine, str(req.params.channelId));
      const appArgs = str(req.params.appArgs);
      return asyncCommand(engine, ch, () =>
        engine.moveStasis(ch, str(req.params.app) ?? '', isEmpty(appArgs) ? [] : separateArgs(appArgs!)),
      );
    },
  },
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels/{channelId}/answer',
    nickname: 'answer',
    summary: 'Answer a channel.',
    responseClass: 'void',
    params: [path('channelId', "Channel's id")],
    errors: [
      [404, 'Channel not found'],
      [409, 'Channel not in a Stasis application'],
      [412, 'Channel in invalid state'],
    ],
    handler: async (engine, req) => {
      const ch = findControl(engine, str(req.params.channelId));
      checkState(ch);
      // stasis_app_control_answer() waits for the control thread.
      const done = await engine.command(ch, () => engine.setState(ch, 'Up'));
      if (!done) throw err(500, 'Failed to answer channel');
      return noContent();
    },
  },
  simpleOp('ring', 'POST', 'ring', 'Indicate ringing to a channel.', (engine, ch) => {
    ch.ringing = true;
    if (ch.referWatch) engine.referProgress(ch, 180);
  }),
  simpleOp('ringStop', 'DELETE', 'ring', 'Stop ringing indication on a channel if locally generated.', (_e, ch) => {
    ch.ringing = false;
  }),
  simpleOp('progress', 'POST', 'progress', 'Indicate progress on a channel.', () => undefined),
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels/{channelId}/dtmf',
    nickname: 'sendDTMF',
    summary: 'Send provided DTMF to a given channel.',
    responseClass: 'void',
    params: [
      path('channelId', "Channel's id"),
      q('dtmf'),
      q('before', 'int'),
      q('between', 'int', { defaultValue: 100 }),
      q('duration', 'int', { defaultValue: 100 }),
      q('after', 'int'),
    ],
    errors: [
      [400, 'DTMF is required'],
      [404, 'Channel not found'],
      [409, 'Channel not in a Stasis application'],
      [412, 'Channel in invalid state'],
    ],
    handler: (engine, req) => {
      const ch = findControl(engine, str(req.params.channelId));
      checkState(ch);
      const dtmf = str(req.params.dtmf);
      if (isEmpty(dtmf)) throw err(400, 'DTMF is required');
      return asyncCommand(engine, ch, () => {
        ch.phone?.dtmfReceived.push({ channelId: ch.id, digits: dtmf! });
        engine.notify();
      });
    },
  },
  ...(['mute', 'unmute'] as const).map(
    (op): Route => ({
      resource: 'channels',
      method: op === 'mute' ? 'POST' : 'DELETE',
      path: '/channels/{channelId}/mute',
      nickname: op,
      summary: op === 'mute' ? 'Mute a channel.' : 'Unmute a channel.',
      responseClass: 'void',
      params: [
        path('channelId', "Channel's id"),
        q('direction', 'string', { defaultValue: 'both', allowableValues: ['both', 'in', 'out'] }),
      ],
      errors: [
        [404, 'Channel not found'],
        [409, 'Channel not in a Stasis application'],
        [412, 'Channel in invalid state'],
      ],
      handler: (engine, req) => {
        const ch = findControl(engine, str(req.params.channelId));
        checkState(ch);
        // The generated code defaults direction to "both".
        const direction = str(req.params.direction) ?? 'both';
        if (isEmpty(direction)) throw err(400, 'Direction is required');
        if (!['in', 'out', 'both'].includes(direction)) throw err(400, 'Invalid direction specified');
        return asyncCommand(engine, ch, () => {
          ch.muted = op === 'mute';
        });
      },
    }),
  ),
  simpleOp('hold', 'POST', 'hold', 'Hold a channel.', () => undefined),
  simpleOp('unhold', 'DELETE', 'hold', 'Remove a channel from hold.', () => undefined),
  simpleOp(
    'startMoh',
    'POST',
    'moh',
    'Play music on hold to a channel.',
    (engine, ch, p) => engine.startChannelMoh(ch, str(p.mohClass)),
    [q('mohClass')],
  ),
  simpleOp('stopMoh', 'DELETE', 'moh', 'Stop playing music on hold to a channel.', (engine, ch) => engine.stopChannelMoh(ch)),
  simpleOp('startSilence', 'POST', 'silence', 'Play silence to a channel.', (engine, ch) => {
    ch.silence = true;
    if (ch.referWatch) engine.referProgress(ch, 200);
    engine.notify();
  }),
  simpleOp('stopSilence', 'DELETE', 'silence', 'Stop playing silence to a channel.', (engine, ch) => {
    ch.silence = false;
    engine.notify();
  }),
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels/{channelId}/play',
    nickname: 'play',
    summary: 'Start playback of media.',
    responseClass: 'Playback',
    params: [
      path('channelId', "Channel's id"),
      q('media', 'string', { required: true, allowMultiple: true }),
      q('lang'),
      q('offsetms', 'int'),
      q('skipms', 'int', { defaultValue: 3000 }),
      q('playbackId'),
    ],
    errors: [
      [404, 'Channel not found'],
      [409, 'Channel not in a Stasis application'],
      [412, 'Channel in invalid state'],
    ],
    handler: (engine, req) => play(engine, req, str(req.params.playbackId)),
  },
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels/{channelId}/play/{playbackId}',
    nickname: 'playWithId',
    summary: 'Start playback of media and specify the playbackId.',
    responseClass: 'Playback',
    params: [
      path('channelId', "Channel's id"),
      path('playbackId', 'Playback ID.'),
      q('media', 'string', { required: true, allowMultiple: true }),
      q('lang'),
      q('offsetms', 'int'),
      q('skipms', 'int', { defaultValue: 3000 }),
    ],
    errors: [
      [404, 'Channel not found'],
      [409, 'Channel not in a Stasis application'],
      [412, 'Channel in invalid state'],
    ],
    handler: (engine, req) => play(engine, req, str(req.params.playbackId)),
  },
  {
    resource: 'channels',
    method: 'GET',
    path: '/channels/{channelId}/variable',
    nickname: 'getChannelVar',
    summary: 'Get the value of a channel variable or function.',
    responseClass: 'Variable',
    params: [path('channelId', "Channel's id"), q('variable', 'string', { required: true })],
    errors: [
      [400, 'Missing variable parameter.'],
      [404, 'Channel or variable not found'],
      [409, 'Channel not in a Stasis application'],
    ],
    handler: (engine, req) => {
      const variable = str(req.params.variable);
      if (isEmpty(variable)) throw err(400, 'Variable name is required');
      const ch = engine.channelByNameOrId(str(req.params.channelId) ?? '');
      if (!ch || ch.dead) throw err(404, 'Provided channel was not found', 'Channel Not Found');
      const value = engine.readVar(ch, variable!);
      if (value === undefined) {
        if (variable!.endsWith(')')) throw err(500, 'Unable to read provided function', 'Error With Function');
        throw err(404, 'Provided variable was not found', 'Variable Not Found');
      }
      return ok({ value });
    },
  },
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels/{channelId}/variable',
    nickname: 'setChannelVar',
    summary: 'Set the value of a channel variable or function.',
    responseClass: 'void',
    params: [
      path('channelId', "Channel's id"),
      q('variable', 'string', { required: true }),
      q('value'),
      q('report_events', 'boolean', { defaultValue: false }),
    ],
    errors: [
      [400, 'Missing variable parameter.'],
      [404, 'Channel not found'],
      [409, 'Channel not in a Stasis application'],
    ],
    handler: async (engine, req) => {
      const variable = str(req.params.variable);
      if (isEmpty(variable)) throw err(400, 'Variable name is required');
      const ch = findControl(engine, str(req.params.channelId));
      const value = str(req.params.value);
      const report = req.params.report_events === true;
      const done = await engine.command(ch, () => {
        if (report) ch.reportable.add(variable!);
        engine.setVar(ch, variable!, value);
      });
      if (!done) throw err(400, 'Failed to execute function');
      return noContent();
    },
  },
  {
    resource: 'channels',
    method: 'POST',
    path: '/channels/{channelId}/dial',
    nickname: 'dial',
    summary: 'Dial a created channel.',
    responseClass: 'void',
    params: [path('channelId', "Channel's id"), q('caller'), q('timeout', 'int', { defaultValue: 0 })],
    errors: [
      [404, 'Channel cannot be found.'],
      [409, 'Channel cannot be dialed.'],
    ],
    handler: (engine, req) => {
      const ch = findControl(engine, str(req.params.channelId));
      const callerId = str(req.params.caller);
      const caller = !isEmpty(callerId) ? engine.channelByNameOrId(callerId!) : undefined;
      if (ch.state !== 'Down' && ch.state !== 'Rsrved') throw err(409, "Channel is not in the 'Down' state", 'Conflict');
      const dialstring = createdDialstrings.get(ch);
      if (!dialstring) throw err(409, 'Dialing a channel not created by ARI', 'Conflict');
      if (caller) {
        ch.connected = { ...caller.caller };
        ch.language = caller.language;
      }
      const timeout = num(req.params.timeout);
      return asyncCommand(engine, ch, () => {
        engine.placeCall(ch, null, dialstring, timeout > 0 ? timeout * 1000 : 0);
      });
    },
  },
];

