import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { HttpDeps } from './app';
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
  parkedCallId: Nullable(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown()),
});

const Query = Type.Object({
  tenantId: Type.Optional(Type.String({ format: 'uuid', description: 'system-wide keys: only this tenant (default: all)' })),
  apiKey: Type.Optional(Type.String({ description: 'the API key, for clients that cannot set the Authorization header' })),
});

/** GET /events: a WebSocket of parking events, one JSON object per message. */
export const eventStreamRoutes =
  ({ prisma, events, sessions }: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: Static<typeof Query> }>(
      '/events',
      {
        websocket: true,
        config: { apiKeyInQuery: true },
        schema: {
          tags: ['events'],
          summary: 'Event stream (WebSocket)',
          description: `Upgrade to a WebSocket; every message is one event (${EVENT_TYPES.join(', ')}). A tenant key gets its tenant's events only.`,
          querystring: Query,
          response: { 101: { ...ParkingEvent, description: 'Switching to WebSocket; messages are events' }, ...errors(404) },
        },
        // Before the upgrade, so that a refusal is a plain HTTP answer.
        preHandler: async (request) => {
          await tenantFilter(prisma, request.principal, request.query.tenantId);
        },
      },
      (socket, request) => {
        const tenantId = request.principal.tenantId ?? request.query.tenantId ?? null;
        const off = events.subscribe((event) => {
          if ((tenantId === null || event.tenantId === tenantId) && socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
        });
        const forget = sessions?.add({ socket, keyId: request.principal.keyId, tenantId, keyTenantId: request.principal.tenantId });
        socket.on('close', () => {
          off();
          forget?.();
        });
      },
    );
  };
