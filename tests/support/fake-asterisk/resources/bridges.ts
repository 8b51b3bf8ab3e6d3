/**
 * /bridges (res/ari/resource_bridges.c).
 */
import type { Engine } from '../engine';
import { err } from '../errors';
import type { AriRequest } from '../route-types';
import { isEmpty, list, num, str } from '../route-types';
import type { Bridge, Channel } from '../state';
import type { Route } from './common';
import { body, created, noContent, ok, path, q } from './common';

/**
 * find_bridge(): 404 "Bridge not found" when no bridge has that id, 409 "Bridge not in Stasis
 * application" for a bridge ARI did not create (Dial()'s basic bridge, res_parking's lot bridge).
 */
function findBridge(engine: Engine, id: string | undefined): Bridge {
  const b = id ? engine.bridges.get(id) : undefined;
  if (!b || b.dead) throw err(404, 'Bridge not found', 'Not found');
  if (b.bridgeClass !== 'stasis') throw err(409, 'Bridge not in Stasis application', 'Conflict');
  return b;
}

/**
 * control_list_create() / find_channel_control(): the channel list is required (400 "Missing
 * parameter channel"); a channel id that exists but is not in Stasis is 422 "Channel not in
 * Stasis application", an unknown one 400 "Channel not found" (looked up by uniqueid).
 */
function controlList(engine: Engine, ids: string[]): Channel[] {
  if (ids.length === 0) throw err(400, 'Missing parameter channel');
  const out: Channel[] = [];
  for (const id of ids) {
    if (id === '') continue;
    const ch = engine.channel(id);
    if (ch && ch.stasis && !ch.dead) {
      out.push(ch);
      continue;
    }
    if (!ch || ch.dead) throw err(400, 'Channel not found');
    throw err(422, 'Channel not in Stasis application', 'Unprocessable Entity');
  }
  if (out.length === 0) throw err(400, 'Missing parameter channel');
  return out;
}

function createBridge(engine: Engine, req: AriRequest, id: string | undefined) {
  if (id && engine.bridges.has(id)) {
    throw err(409, `Bridge with id '${id}' already exists`, 'Conflict');
  }
  const b = engine.createStasisBridge(str(req.params.type), str(req.params.name), id);
  if (!b) {
    throw err(500, `Unable to create bridge. Possible duplicate bridge id '${id ?? '(null)'}'`, 'Internal Error');
  }
  // ast_ari_bridges_create() hands the whole JSON body to json_to_ast_variables(): every
  // top-level string becomes a bridge variable, and an object without "value" is a 400
  // (answered after the bridge was created, as Asterisk does).
  if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) {
    for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) {
      if (k === '') continue;
      if (typeof v === 'string') b.vars.set(k.trim(), v);
      else if (v && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (typeof o.value !== 'string') {
          throw err(400, "Each object value in 'variables' must include string field 'value'");
        }
        b.vars.set(k.trim(), o.value);
      } else {
        throw err(
          400,
          "Each value in 'variables' must be a string or an object with 'value' and optional 'report_events'",
        );
      }
    }
  }
  return ok(b.toJSON());
}

function playOnBridge(engine: Engine, req: AriRequest, playbackId: string | undefined) {
  const b = findBridge(engine, str(req.params.bridgeId));
  const fmt = str(req.params.announcer_format);
  if (!isEmpty(fmt) && !['ulaw', 'alaw', 'slin', 'slin16', 'g722', 'gsm', 'opus', 'slin48'].includes(fmt!)) {
    throw err(422, 'specified announcer_format is unknown on this system', 'Unprocessable Entity');
  }
  if (num(req.params.skipms) < 0 || num(req.params.offsetms) < 0) {
    throw err(500, 'Allocation failed', 'Internal Server Error');
  }
  const media = list(req.params.media);
  if (media.length === 0 || media.some((m) => m === '')) throw err(500, 'Allocation failed');
  const pb = engine.createPlayback(b, media, str(req.params.lang), playbackId);
  return created(`/playbacks/${pb.id}`, pb.toJSON());
}

const bridgeErrors404 = (): Array<[number, string]> => [[404, 'Bridge not found']];

export const bridgeRoutes: Route[] = [
  {
    resource: 'bridges',
    method: 'GET',
    path: '/bridges',
    nickname: 'list',
    summary: 'List all active bridges in Asterisk.',
    responseClass: 'List[Bridge]',
    params: [],
    errors: [],
    // ast_ari_bridges_list() walks ast_bridges(): every visible bridge, not only ARI's.
    handler: (engine) => ok([...engine.bridges.values()].map((b) => b.toJSON())),
  },
  {
    resource: 'bridges',
    method: 'POST',
    path: '/bridges',
    nickname: 'create',
    summary: 'Create a new bridge.',
    responseClass: 'Bridge',
    params: [q('type'), q('bridgeId'), q('name'), body('variables')],
    errors: [[409, 'Bridge with the same bridgeId already exists']],
    handler: (engine, req) => createBridge(engine, req, str(req.params.bridgeId) || undefined),
  },
  {
    resource: 'bridges',
    method: 'POST',
    path: '/bridges/{bridgeId}',
    nickname: 'createWithId',
    summary: 'Create a new bridge or updates an existing one.',
    responseClass: 'Bridge',
    params: [q('type'), path('bridgeId', 'Unique ID to give to the bridge being created.'), q('name'), body('variables')],
    errors: [[409, 'Bridge with the same bridgeId already exists']],
    handler: (engine, req) => createBridge(engine, req, str(req.params.bridgeId)),
  },
  {
    resource: 'bridges',
    method: 'GET',
    path: '/bridges/{bridgeId}',
    nickname: 'get',
    summary: 'Get bridge details.',
    responseClass: 'Bridge',
    params: [path('bridgeId', "Bridge's id")],
    errors: bridgeErrors404(),
    handler: (engine, req) => {
      const b = engine.bridges.get(str(req.params.bridgeId) ?? '');
      if (!b || b.dead) throw err(404, 'Bridge not found');
      return ok(b.toJSON());
    },
  },
  {
    resource: 'bridges',
    method: 'DELETE',
    path: '/bridges/{bridgeId}',
    nickname: 'destroy',
    summary: 'Shut down a bridge.',
    responseClass: 'void',
    params: [path('bridgeId', "Bridge's id")],
    errors: bridgeErrors404(),
    handler: (engine, req) => {
      const b = findBridge(engine, str(req.params.bridgeId));
      engine.destroyStasisBridge(b);
      return noContent();
    },
  },
  {
    resource: 'bridges',
    method: 'POST',
    path: '/bridges/{bridgeId}/addChannel',
    nickname: 'addChannel',
    summary: 'Add a channel to a bridge.',
    responseClass: 'void',
    params: [
      path('bridgeId', "Bridge's id"),
      q('channel', 'string', { required: true, allowMultiple: true }),
      q('role'),
      q('absorbDTMF', 'boolean', { defaultValue: false }),
      q('mute', 'boolean', { defaultValue: false }),
      q('inhibitConnectedLineUpdates', 'boolean', { defaultValue: false }),
    ],
    errors: [
      [400, 'Channel not found'],
      [404, 'Bridge not found'],
      [409, 'Bridge not in Stasis application; Channel currently recording'],
      [422, 'Channel not in Stasis application'],
    ],
    handler: async (engine, req) => {
      const b = findBridge(engine, str(req.params.bridgeId));
      const chans = controlList(engine, list(req.params.channel));
      for (const ch of chans) {
        // app_send_command_on_condition(): waits for the channel's control thread.
        const done = await engine.command(ch, () => {
          if (!b.dead) engine.joinBridge(ch, b);
        });
        if (!done) continue;
      }
      return noContent();
    },
  },
  {
    resource: 'bridges',
    method: 'POST',
    path: '/bridges/{bridgeId}/removeChannel',
    nickname: 'removeChannel',
    summary: 'Remove a channel from a bridge.',
    responseClass: 'void',
    params: [path('bridgeId', "Bridge's id"), q('channel', 'string', { required: true, allowMultiple: true })],
    errors: [
      [400, 'Channel not found'],
      [404, 'Bridge not found'],
      [409, 'Bridge not in Stasis application'],
      [422, 'Channel not in this bridge'],
    ],
    handler: async (engine, req) => {
      const b = findBridge(engine, str(req.params.bridgeId));
      const chans = controlList(engine, list(req.params.channel));
      for (const ch of chans) {
        if (ch.bridge !== b) throw err(422, 'Channel not in this bridge', 'Unprocessable Entity');
      }
      for (const ch of chans) {
        await engine.command(ch, () => {
          if (ch.bridge === b) engine.leaveBridge(ch, 'depart');
        });
      }
      return noContent();
    },
  },
  {
    resource: 'bridges',
    method: 'POST',
    path: '/bridges/{bridgeId}/moh',
    nickname: 'startMoh',
    summary: 'Play music on hold to a bridge or change the MOH class that is playing.',
    responseClass: 'void',
    params: [path('bridgeId', "Bridge's id"), q('mohClass')],
    errors: [
      [404, 'Bridge not found'],
      [409, 'Bridge not in Stasis application'],
    ],
    handler: (engine, req) => {
      const b = findBridge(engine, str(req.params.bridgeId));
      engine.startBridgeMoh(b, str(req.params.mohClass));
      return noContent();
    },
  },
  {
    resource: 'bridges',
    method: 'DELETE',
    path: '/bridges/{bridgeId}/moh',
    nickname: 'stopMoh',
    summary: 'Stop playing music on hold to a bridge.',
    responseClass: 'void',
    params: [path('bridgeId', "Bridge's id")],
    errors: [
      [404, 'Bridge not found'],
      [409, 'Bridge not in Stasis application'],
    ],
    handler: (engine, req) => {
      const b = findBridge(engine, str(req.params.bridgeId));
      if (!b.moh) throw err(409, "Bridge isn't playing music", 'Conflict');
      b.moh = null;
      engine.notify();
      return noContent();
    },
  },
  {
    resource: 'bridges',
    method: 'POST',
    path: '/bridges/{bridgeId}/play',
    nickname: 'play',
    summary: 'Start playback of media on a bridge.',
    responseClass: 'Playback',
    params: [
      path('bridgeId', "Bridge's id"),
      q('media', 'string', { required: true, allowMultiple: true }),
      q('announcer_format'),
      q('lang'),
      q('offsetms', 'int'),
      q('skipms', 'int', { defaultValue: 3000 }),
      q('playbackId'),
    ],
    errors: [
      [404, 'Bridge not found'],
      [409, 'Bridge not in a Stasis application'],
      [422, 'The format specified is unknown on this system'],
    ],
    handler: (engine, req) => playOnBridge(engine, req, str(req.params.playbackId)),
  },
  {
    resource: 'bridges',
    method: 'POST',
    path: '/bridges/{bridgeId}/play/{playbackId}',
    nickname: 'playWithId',
    summary: 'Start playback of media on a bridge (with id).',
    responseClass: 'Playback',
    params: [
      path('bridgeId', "Bridge's id"),
      path('playbackId', 'Playback ID.'),
      q('media', 'string', { required: true, allowMultiple: true }),
      q('announcer_format'),
      q('lang'),
      q('offsetms', 'int'),
      q('skipms', 'int', { defaultValue: 3000 }),
    ],
    errors: [
      [404, 'Bridge not found'],
      [409, 'Bridge not in a Stasis application'],
      [422, 'The format specified is unknown on this system'],
    ],
    handler: (engine, req) => playOnBridge(engine, req, str(req.params.playbackId)),
  },
];
