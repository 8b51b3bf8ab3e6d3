/**
 * /playbacks, /deviceStates, /endpoints, /applications, /asterisk and /events
 * (res/ari/resource_playbacks.c, resource_device_states.c, resource_endpoints.c,
 * resource_applications.c, resource_asterisk.c, res/ari/ari_websockets.c).
 */
import { DEVICE_STATE_ALL } from '../apps';
import type { Engine } from '../engine';
import { DEVICE_STATES } from '../engine';
import { err } from '../errors';
import { isEmpty, list, str } from '../route-types';
import { astTimestamp } from '../util';
import type { Route } from './common';
import { body, noContent, ok, parseVariables, path, q } from './common';

/* ------------------------------- playbacks ------------------------------- */

export const playbackRoutes: Route[] = [
  {
    resource: 'playbacks',
    method: 'GET',
    path: '/playbacks/{playbackId}',
    nickname: 'get',
    summary: "Get a playback's details.",
    responseClass: 'Playback',
    params: [path('playbackId', "Playback's id")],
    errors: [[404, 'The playback cannot be found']],
    handler: (engine, req) => {
      const pb = engine.playbacks.get(str(req.params.playbackId) ?? '');
      if (!pb) throw err(404, 'Playback not found');
      return ok(pb.toJSON());
    },
  },
  {
    resource: 'playbacks',
    method: 'DELETE',
    path: '/playbacks/{playbackId}',
    nickname: 'stop',
    summary: 'Stop a playback.',
    responseClass: 'void',
    params: [path('playbackId', "Playback's id")],
    errors: [[404, 'The playback cannot be found']],
    handler: (engine, req) => {
      const pb = engine.playbacks.get(str(req.params.playbackId) ?? '');
      if (!pb) throw err(404, 'Playback not found');
      // playback_stop() refuses (500) while nothing stoppable has played yet: digits:, number:
      // and characters: items are not "controllable" (res_stasis_playback.c).
      if (engine.stopPlayback(pb) === 'failed') throw err(500, 'Could not stop playback');
      return noContent();
    },
  },
  {
    resource: 'playbacks',
    method: 'POST',
    path: '/playbacks/{playbackId}/control',
    nickname: 'control',
    summary: 'Control a playback.',
    responseClass: 'void',
    params: [
      path('playbackId', "Playback's id"),
      q('operation', 'string', {
        required: true,
        allowableValues: ['restart', 'pause', 'unpause', 'reverse', 'forward'],
      }),
    ],
    errors: [
      [400, 'The provided operation parameter was invalid'],
      [404, 'The playback cannot be found'],
      [409, "The operation cannot be performed in the playback's current state"],
    ],
    handler: (engine, req) => {
      const op = str(req.params.operation);
      if (isEmpty(op)) throw err(400, 'Missing operation');
      if (!['unpause', 'pause', 'restart', 'reverse', 'forward'].includes(op!)) throw err(400, `Invalid operation ${op}`);
      const pb = engine.playbacks.get(str(req.params.playbackId) ?? '');
      if (!pb) throw err(404, 'Playback not found');
      const r = engine.controlPlayback(pb, op!);
      if (r === 'not-playing') throw err(409, `Can only ${op} while media is playing`, 'Conflict');
      if (r === 'failed') throw err(500, `Could not ${op} playback`);
      return noContent();
    },
  },
];

/* ------------------------------ device states ---------------------------- */

export const deviceStateRoutes: Route[] = [
  {
    resource: 'deviceStates',
    method: 'GET',
    path: '/deviceStates',
    nickname: 'list',
    summary: 'List all ARI controlled device states.',
    responseClass: 'List[DeviceState]',
    params: [],
    errors: [],
    // stasis_app_device_states_to_json(): the astdb StasisDeviceState family, sorted by key.
    handler: (engine) =>
      ok(
        [...engine.astdb.keys()].sort().map((k) => ({ name: `Stasis:${k}`, state: engine.deviceState(`Stasis:${k}`) })),
      ),
  },
  {
    resource: 'deviceStates',
    method: 'GET',
    path: '/deviceStates/{deviceName}',
    nickname: 'get',
    summary: 'Retrieve the current state of a device.',
    responseClass: 'DeviceState',
    params: [path('deviceName', 'Name of the device')],
    errors: [],
    handler: (engine, req) => {
      const name = str(req.params.deviceName) ?? '';
      return ok({ name, state: engine.deviceState(name) });
    },
  },
  {
    resource: 'deviceStates',
    method: 'PUT',
    path: '/deviceStates/{deviceName}',
    nickname: 'update',
    summary: 'Change the state of a device controlled by ARI.',
    responseClass: 'void',
    params: [
      path('deviceName', 'Name of the device'),
      q('deviceState', 'string', { required: true, allowableValues: DEVICE_STATES.filter((s) => s !== 'UNKNOWN') }),
    ],
    errors: [
      [404, 'Device name is missing'],
      [409, 'Uncontrolled device specified'],
    ],
    handler: (engine, req) => {
      switch (engine.updateStasisDevice(str(req.params.deviceName) ?? '', str(req.params.deviceState))) {
        case 'not-controlled':
          throw err(409, 'Uncontrolled device specified', 'Conflict');
        case 'missing':
          throw err(404, 'Device name is missing');
        case 'unknown':
          throw err(500, 'Unknown device');
        default:
          return noContent();
      }
    },
  },
  {
    resource: 'deviceStates',
    method: 'DELETE',
    path: '/deviceStates/{deviceName}',
    nickname: 'delete',
    summary: 'Destroy a device-state controlled by ARI.',
    responseClass: 'void',
    params: [path('deviceName', 'Name of the device')],
    errors: [
      [404, 'Device name is missing'],
      [409, 'Uncontrolled device specified'],
    ],
    handler: (engine, req) => {
      switch (engine.deleteStasisDevice(str(req.params.deviceName) ?? '')) {
        case 'not-controlled':
          throw err(409, 'Uncontrolled device specified', 'Conflict');
        case 'missing':
          throw err(404, 'Device name is missing');
        default:
          // STASIS_DEVICE_STATE_UNKNOWN (nothing cached) is also answered 204.
          return noContent();
      }
    },
  },
];

/* -------------------------------- endpoints ------------------------------- */

/** "pjsip:101", "pjsip:101/sip:...", "pjsip:sip:101@host" -> "101". */
function messageEndpoint(to: string): string {
  let rest = to.slice(to.indexOf(':') + 1);
  rest = rest.split('/')[0];
  if (/^sips?:/i.test(rest)) rest = rest.replace(/^sips?:/i, '');
  return rest.split('@')[0];
}

function sendMessage(engine: Engine, to: string | undefined, from: string | undefined, text: string | undefined, bodyJson: unknown) {
  const { vars } = bodyJson ? parseVariables(bodyJson, false) : { vars: [] as Array<[string, string]> };
  if (isEmpty(to)) throw err(400, 'To must be specified');
  const tech = to!.split(':')[0].toLowerCase();
  if (tech !== 'pjsip' || !to!.includes(':')) throw err(404, 'Endpoint not found');
  const target = engine.phones.get(messageEndpoint(to!));
  const record = {
    to: to!,
    from: from ?? '',
    body: text ?? '',
    variables: Object.fromEntries(vars),
    at: Date.now(),
  };
  // res_pjsip_messaging sends asynchronously: an unknown or unreachable endpoint is only logged.
  const delivered = !!target && target.online;
  if (delivered) target!.messages.push(record);
  engine.messages.push({ ...record, delivered });
  engine.notify();
  return { status: 202 };
}

export const endpointRoutes: Route[] = [
  {
    resource: 'endpoints',
    method: 'GET',
    path: '/endpoints',
    nickname: 'list',
    summary: 'List all endpoints.',
    responseClass: 'List[Endpoint]',
    params: [],
    errors: [],
    handler: (engine) => ok([...engine.phones.values()].map((p) => p.toJSON())),
  },
  {
    resource: 'endpoints',
    method: 'PUT',
    path: '/endpoints/sendMessage',
    nickname: 'sendMessage',
    summary: 'Send a message to some technology URI or endpoint.',
    responseClass: 'void',
    params: [q('to', 'string', { required: true }), q('from', 'string', { required: true }), q('body'), body('variables')],
    errors: [
      [400, 'Invalid parameters for sending a message.'],
      [404, 'Endpoint not found'],
    ],
    handler: (engine, req) => sendMessage(engine, str(req.params.to), str(req.params.from), str(req.params.body), req.body),
  },
  {
    resource: 'endpoints',
    method: 'GET',
    path: '/endpoints/{tech}',
    nickname: 'listByTech',
    summary: 'List available endoints for a given endpoint technology.',
    responseClass: 'List[Endpoint]',
    params: [path('tech', 'Technology of the endpoints (pjsip,iax2,...)', undefined)],
    errors: [[404, 'Endpoints not found']],
    handler: (engine, req) => {
      const tech = str(req.params.tech) ?? '';
      if (tech.toUpperCase() !== 'PJSIP') throw err(404, `No Endpoints found - invalid tech ${tech}`);
      return ok([...engine.phones.values()].map((p) => p.toJSON()));
    },
  },
  {
    resource: 'endpoints',
    method: 'GET',
    path: '/endpoints/{tech}/{resource}',
    nickname: 'get',
    summary: 'Details for an endpoint.',
    responseClass: 'Endpoint',
    params: [path('tech', 'Technology of the endpoint', undefined), path('resource', 'ID of the endpoint', undefined)],
    errors: [
      [400, 'Invalid parameters for sending a message.'],
      [404, 'Endpoints not found'],
    ],
    handler: (engine, req) => {
      const tech = str(req.params.tech) ?? '';
      const phone = tech.toUpperCase() === 'PJSIP' ? engine.phones.get(str(req.params.resource) ?? '') : undefined;
      if (!phone) throw err(404, 'Endpoint not found');
      return ok(phone.toJSON());
    },
  },
  {
    resource: 'endpoints',
    method: 'PUT',
    path: '/endpoints/{tech}/{resource}/sendMessage',
    nickname: 'sendMessageToEndpoint',
    summary: 'Send a message to some endpoint in a technology.',
    responseClass: 'void',
    params: [
      path('tech', 'Technology of the endpoint', undefined),
      path('resource', 'ID of the endpoint', undefined),
      q('from', 'string', { required: true }),
      q('body'),
      body('variables'),
    ],
    errors: [
      [400, 'Invalid parameters for sending a message.'],
      [404, 'Endpoint not found'],
    ],
    handler: (engine, req) => {
      const tech = str(req.params.tech) ?? '';
      const resource = str(req.params.resource) ?? '';
      if (tech.toUpperCase() !== 'PJSIP' || !engine.phones.has(resource)) throw err(404, 'Endpoint not found');
      return sendMessage(engine, `${tech.toLowerCase()}:${resource}`, str(req.params.from), str(req.params.body), req.body);
    },
  },
];

/* ------------------------------- applications ------------------------------ */

export function appJson(engine: Engine, name: string): Record<string, unknown> | undefined {
  const app = engine.apps.get(name);
  if (!app) return undefined;
  return {
    name: app.name,
    channel_ids: [...app.channels],
    bridge_ids: [...app.bridges],
    endpoint_ids: [...app.endpoints],
    device_names: engine.apps.deviceNames(app.name),
    events_allowed: [],
    events_disallowed: [],
  };
}

type SubResult = 'ok' | 'bad-scheme' | 'not-found';

function subscribeSource(engine: Engine, appName: string, uri: string, on: boolean): SubResult {
  const m = /^(channel|bridge|endpoint|deviceState):(.*)$/.exec(uri);
  if (!m) return 'bad-scheme';
  const [, scheme, id] = m;
  const app = engine.apps.get(appName)!;
  switch (scheme) {
    case 'channel': {
      const ch = engine.channelByNameOrId(id);
      if (on) {
        if (id === '') return 'ok';
        if (!ch || ch.dead) return 'not-found';
        engine.apps.subscribeChannel(appName, ch);
        return 'ok';
      }
      if (!ch || !ch.subs.has(appName)) return 'not-found';
      engine.apps.unsubscribeChannel(appName, ch);
      return 'ok';
    }
    case 'bridge': {
      const b = engine.bridges.get(id);
      if (on) {
        if (id === '') return 'ok';
        if (!b) return 'not-found';
        engine.apps.subscribeBridge(appName, b);
        return 'ok';
      }
      if (!b || !b.subs.has(appName)) return 'not-found';
      engine.apps.unsubscribeBridge(appName, b);
      return 'ok';
    }
    case 'endpoint': {
      const [tech, resource] = id.split('/');
      if (on) {
        if (id !== '' && (tech.toUpperCase() !== 'PJSIP' || (resource !== undefined && !engine.phones.has(resource)))) {
          return 'not-found';
        }
        app.endpoints.add(resource === undefined ? 'PJSIP' : `PJSIP/${resource}`);
        return 'ok';
      }
      const key = resource === undefined ? 'PJSIP' : `PJSIP/${resource}`;
      if (!app.endpoints.has(key)) return 'not-found';
      app.endpoints.delete(key);
      return 'ok';
    }
    default: {
      const name = id === '' ? DEVICE_STATE_ALL : id;
      let set = engine.apps.deviceSubs.get(appName);
      if (on) {
        if (!set) engine.apps.deviceSubs.set(appName, (set = new Set()));
        set.add(name);
        return 'ok';
      }
      if (!set || !set.has(name)) return 'not-found';
      set.delete(name);
      return 'ok';
    }
  }
}

function subscription(engine: Engine, appName: string, sources: string[], on: boolean) {
  if (sources.length === 0) throw err(400, 'Missing parameter eventSource');
  if (!engine.apps.get(appName)) throw err(404, 'Application not found');
  for (const uri of sources) {
    const r = subscribeSource(engine, appName, uri, on);
    if (r === 'bad-scheme') throw err(400, 'Invalid event source URI scheme');
    if (r === 'not-found') {
      throw err(422, on ? 'Event source does not exist' : 'Event source was not subscribed to', 'Unprocessable Entity');
    }
  }
  engine.notify();
  return ok(appJson(engine, appName));
}

export const applicationRoutes: Route[] = [
  {
    resource: 'applications',
    method: 'GET',
    path: '/applications',
    nickname: 'list',
    summary: 'List all applications.',
    responseClass: 'List[Application]',
    params: [],
    errors: [],
    handler: (engine) => ok(engine.appList().map((a) => appJson(engine, a.name))),
  },
  {
    resource: 'applications',
    method: 'GET',
    path: '/applications/{applicationName}',
    nickname: 'get',
    summary: 'Get details of an application.',
    responseClass: 'Application',
    params: [path('applicationName', "Application's name")],
    errors: [[404, 'Application does not exist.']],
    handler: (engine, req) => {
      const json = appJson(engine, str(req.params.applicationName) ?? '');
      if (!json) throw err(404, 'Application not found');
      return ok(json);
    },
  },
  {
    resource: 'applications',
    method: 'POST',
    path: '/applications/{applicationName}/subscription',
    nickname: 'subscribe',
    summary: 'Subscribe an application to a event source.',
    responseClass: 'Application',
    params: [path('applicationName', "Application's name"), q('eventSource', 'string', { required: true, allowMultiple: true })],
    errors: [
      [400, 'Missing parameter.'],
      [404, 'Application does not exist.'],
      [422, 'Event source does not exist.'],
    ],
    handler: (engine, req) =>
      subscription(engine, str(req.params.applicationName) ?? '', list(req.params.eventSource), true),
  },
  {
    resource: 'applications',
    method: 'DELETE',
    path: '/applications/{applicationName}/subscription',
    nickname: 'unsubscribe',
    summary: 'Unsubscribe an application from an event source.',
    responseClass: 'Application',
    params: [path('applicationName', "Application's name"), q('eventSource', 'string', { required: true, allowMultiple: true })],
    errors: [
      [400, 'Missing parameter; event source scheme not recognized.'],
      [404, 'Application does not exist.'],
      [409, 'Application not subscribed to event source.'],
      [422, 'Event source does not exist.'],
    ],
    handler: (engine, req) =>
      subscription(engine, str(req.params.applicationName) ?? '', list(req.params.eventSource), false),
  },
];

/* ---------------------------------- sounds --------------------------------- */

/** resource_sounds.c: the sounds index (one language, "en", in GSM as the Debian package installs it). */
function soundJson(engine: Engine, id: string): Record<string, unknown> {
  const text = engine.sounds.get(id);
  return { id, ...(text ? { text } : {}), formats: [{ language: 'en', format: 'gsm' }] };
}

export const soundRoutes: Route[] = [
  {
    resource: 'sounds',
    method: 'GET',
    path: '/sounds',
    nickname: 'list',
    summary: 'List all sounds.',
    responseClass: 'List[Sound]',
    params: [q('lang'), q('format')],
    errors: [],
    handler: (engine, req) => {
      const lang = str(req.params.lang);
      const format = str(req.params.format);
      const matches = (isEmpty(lang) || lang === 'en') && (isEmpty(format) || format === 'gsm');
      if (!matches || engine.sounds.size === 0) throw err(404, 'No sounds found that matched the query');
      return ok([...engine.sounds.keys()].map((id) => soundJson(engine, id)));
    },
  },
  {
    resource: 'sounds',
    method: 'GET',
    path: '/sounds/{soundId}',
    nickname: 'get',
    summary: "Get a sound's details.",
    responseClass: 'Sound',
    params: [path('soundId', "Sound's id")],
    errors: [],
    handler: (engine, req) => {
      const id = str(req.params.soundId) ?? '';
      if (!engine.soundExists(id)) throw err(404, 'Sound not found');
      return ok(soundJson(engine, id));
    },
  },
];

/* --------------------------------- asterisk -------------------------------- */

export const asteriskRoutes: Route[] = [
  {
    // resource_asterisk.c ast_ari_asterisk_reload_module: only pbx_config.so (the dialplan) is
    // modelled: it re-reads the dialplan files, like `dialplan reload`.
    resource: 'asterisk',
    method: 'PUT',
    path: '/asterisk/modules/{moduleName}',
    nickname: 'reloadModule',
    summary: 'Reload an Asterisk module.',
    responseClass: 'void',
    params: [path('moduleName', 'string')],
    errors: [
      [404, 'Module not found in Asterisk'],
      [409, 'Module could not be reloaded'],
    ],
    handler: (engine, req) => {
      const name = str(req.params.moduleName);
      if (name !== 'pbx_config.so' && name !== 'pbx_config') return err(404, 'Module not found in Asterisk');
      engine.dialplan.reload();
      engine.lastReloadAt = astTimestamp();
      return noContent();
    },
  },
  {
    resource: 'asterisk',
    method: 'GET',
    path: '/asterisk/modules/{moduleName}',
    nickname: 'getModule',
    summary: 'Get Asterisk module information.',
    responseClass: 'Module',
    params: [path('moduleName', "Module's name")],
    errors: [
      [404, 'Module could not be found in running modules.'],
      [409, 'Module information could not be retrieved.'],
    ],
    handler: (engine, req) => {
      // resource_asterisk.c ast_ari_asterisk_get_module(): only running modules are found.
      const name = str(req.params.moduleName) ?? '';
      if (!engine.modules.has(name)) throw err(404, 'Module could not be found in running modules');
      return ok({ name, description: name, use_count: 0, status: 'Running', support_level: 'core' });
    },
  },
  {
    resource: 'asterisk',
    method: 'GET',
    path: '/asterisk/info',
    nickname: 'getInfo',
    summary: 'Gets Asterisk system information.',
    responseClass: 'AsteriskInfo',
    params: [q('only', 'string', { allowMultiple: true, allowableValues: ['build', 'system', 'config', 'status'] })],
    errors: [],
    handler: (engine, req) => {
      const only = list(req.params.only);
      const all = only.length === 0;
      const info: Record<string, unknown> = {};
      if (all || only.includes('build')) {
        info.build = {
          os: 'Linux',
          kernel: 'fake',
          machine: 'x86_64',
          options: 'fake-asterisk',
          date: engine.startedAt,
          user: 'fake',
        };
      }
      if (all || only.includes('system')) {
        info.system = { version: engine.opts.version, entity_id: engine.opts.asteriskId };
      }
      if (all || only.includes('config')) {
        info.config = {
          name: '',
          default_language: 'en',
          setid: { user: '', group: '' },
        };
      }
      if (all || only.includes('status')) {
        info.status = { startup_time: engine.startedAt, last_reload_time: engine.lastReloadAt };
      }
      return ok(info);
    },
  },
  {
    resource: 'asterisk',
    method: 'GET',
    path: '/asterisk/ping',
    nickname: 'ping',
    summary: 'Response pong message.',
    responseClass: 'AsteriskPing',
    params: [],
    errors: [],
    handler: (engine) => ok({ asterisk_id: engine.opts.asteriskId, ping: 'pong', timestamp: astTimestamp() }),
  },
  {
    resource: 'asterisk',
    method: 'GET',
    path: '/asterisk/variable',
    nickname: 'getGlobalVar',
    summary: 'Get the value of a global variable.',
    responseClass: 'Variable',
    params: [q('variable', 'string', { required: true })],
    errors: [[400, 'Missing variable parameter.']],
    handler: (engine, req) => {
      const variable = str(req.params.variable);
      if (isEmpty(variable)) throw err(400, 'Variable name is required');
      return ok({ value: engine.readVar(null, variable!) ?? '' });
    },
  },
  {
    resource: 'asterisk',
    method: 'POST',
    path: '/asterisk/variable',
    nickname: 'setGlobalVar',
    summary: 'Set the value of a global variable.',
    responseClass: 'void',
    params: [q('variable', 'string', { required: true }), q('value')],
    errors: [[400, 'Missing variable parameter.']],
    handler: (engine, req) => {
      const variable = str(req.params.variable);
      if (isEmpty(variable)) throw err(400, 'Variable name is required');
      engine.setVar(null, variable!, str(req.params.value) ?? '');
      return noContent();
    },
  },
];

/* ---------------------------------- events --------------------------------- */

export const eventRoutes: Route[] = [
  {
    resource: 'events',
    method: 'GET',
    path: '/events',
    nickname: 'eventWebsocket',
    summary: 'WebSocket connection for events.',
    responseClass: 'Message',
    params: [q('app', 'string', { required: true, allowMultiple: true }), q('subscribeAll', 'boolean')],
    errors: [],
    websocket: true,
    handler: () => {
      throw err(400, "Can't upgrade to websocket from a websocket", 'Bad request');
    },
  },
];
