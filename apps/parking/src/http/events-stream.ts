import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { WebSocket } from 'ws';
import { ParkingError } from '../domain/errors';
import type { HttpDeps } from './deps';
import { tenantFilter } from './auth';
import { DateTime, Nullable, Uuid, errors } from './schemas';

export const EVENT_TYPES = [
  'parked',
  'retrieved',
  'recall_started',
  'recall_failed',
  'recall_answered',
  'returned_to_hunt_group',
  'abandoned',
  'lost',
  'timed_out',
  'hung_up',
  'park_failed',
  'notified',
  'pin_locked',
] as const;
/** Typed as a plain string: stored lists of event types come back from the database as strings. */
export const EventType = Type.Unsafe<string>({ type: 'string', enum: [...EVENT_TYPES] });

/** A parking event as apps receive it, on the WebSocket and in webhooks (A4). */
export const ParkingEvent = Type.Object({
  id: Type.String(),
  type: Type.String({ description: EVENT_TYPES.join(', ') }),
  tenantId: Uuid,
  at: DateTime,
  seq: Type.Integer({ description: "the tenant's sequence number: 1, 2, 3... in the stream's epoch" }),
  parkedCallId: Nullable(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown()),
});

const Query = Type.Object({
  tenantId: Type.Optional(Type.String({ format: 'uuid', description: 'system-wide keys: only this tenant (default: all)' })),
  apiKey: Type.Optional(Type.String({ description: 'the API key, for clients that can set neither a header nor a subprotocol (it ends up in logs: prefer the subprotocol)' })),
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'resume: replay the events after this sequence number (GET parked-calls gives it), then live' })),
  epoch: Type.Optional(Type.String({ maxLength: 64, description: 'the epoch `since` belongs to; another one means the service restarted: resync' })),
});

/** The subprotocol a client names to get one chosen (browsers need an answer to what they offered). */
export const STREAM_PROTOCOL = 'parking.v1';

/** Default interval of the server's pings; a connection that missed one pong is closed. */
export const HEARTBEAT_MS = 15_000;

/**
 * GET /events: a WebSocket of parking events, one JSON object per message. With ?since= the
 * missed events come first (or a `resync` message when they are no longer kept), so a client
 * resumes without missing or doubling one.
 */
export const eventStreamRoutes =
  ({ prisma, events, sessions, heartbeatMs = HEARTBEAT_MS }: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: Static<typeof Query> }>(
      '/events',
      {
        websocket: true,
        config: { apiKeyInQuery: true, apiKeyInProtocol: true },
        schema: {
          tags: ['events'],
          summary: 'Event stream (WebSocket)',
          description: [
            `Upgrade to a WebSocket; every message is one event (${EVENT_TYPES.join(', ')}). A tenant key gets its tenant's events only.`,
            `The key: \`Authorization: Bearer <key>\`, or from a browser the subprotocols \`${STREAM_PROTOCOL}\` and \`bearer.<base64url of the key>\` (the answer selects \`${STREAM_PROTOCOL}\`).`,
            'Each event has `seq`, its tenant\'s sequence number. `?since=<seq>&epoch=<epoch>` (one tenant: a tenant key or `tenantId`) first replays the events after `seq`;',
            'when they are no longer kept, or `epoch` is another run\'s, the first message is `{"type":"resync","epoch","seq"}`: take a new snapshot (GET parked-calls) and apply only events after its `seq`.',
            `The server pings every ${HEARTBEAT_MS / 1000} s and closes a connection that did not answer the previous ping. A text message \`ping\` is answered \`{"type":"pong","epoch","seq"}\` (browsers cannot see pings).`,
          ].join(' '),
          querystring: Query,
          response: { 101: { ...ParkingEvent, description: 'Switching to WebSocket; messages are events' }, ...errors(404) },
        },
        // Before the upgrade, so that a refusal is a plain HTTP answer.
        preHandler: async (request) => {
          const tenantId = await tenantFilter(prisma, request.principal, request.query.tenantId);
          if (request.query.since !== undefined && tenantId === null) {
            throw new ParkingError('validation', 'since needs one tenant: pass tenantId', { fields: { tenantId: 'required with since' } });
          }
        },
      },
      (socket, request) => {
        const tenantId = request.principal.tenantId ?? request.query.tenantId ?? null;
        const send = (message: unknown) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(message));
        // Replay and subscription in one synchronous step: no event can fall between them.
        const { since, epoch } = request.query;
        if (since !== undefined && tenantId !== null) {
          const missed = events.since(tenantId, since, epoch);
          if (missed) for (const event of missed) send(event);
          else send({ type: 'resync', ...events.position(tenantId) });
        }
        const off = events.subscribe((event) => {
          if (tenantId === null || event.tenantId === tenantId) send(event);
        });
        socket.on('message', (data) => {
          if (String(data) === 'ping') send({ type: 'pong', ...(tenantId ? events.position(tenantId) : {}) });
        });
        const stopHeartbeat = heartbeat(socket, heartbeatMs);
        // Closed by the service when the key is revoked or the tenant deleted.
        const forget = sessions?.add({ socket, keyId: request.principal.keyId, tenantId, keyTenantId: request.principal.tenantId });
        socket.on('close', () => {
          off();
          stopHeartbeat();
          forget?.();
        });
      },
    );
  };

/** Pings every `ms`; a socket that has not answered the previous ping is dead (no FIN came): terminate it. */
function heartbeat(socket: WebSocket, ms: number): () => void {
  let answered = true;
  socket.on('pong', () => (answered = true));
  const timer = setInterval(() => {
    if (!answered) return socket.terminate();
    answered = false;
    socket.ping();
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}
