import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { placeKey, type Place } from '../domain/codes';
import { ParkingError } from '../domain/errors';
import type { HttpDeps } from './deps';
import { notFound } from './auth';
import { invalid } from './places';
import {
  DateTime,
  Digits,
  ItemParams,
  NoContent,
  Nullable,
  ParkMethod,
  PlaceKind,
  StringEnum,
  TenantParams,
  Uuid,
  errors,
} from './schemas';

/** A live parked call (A3). */
export const ParkedCall = Type.Object({
  id: Uuid,
  place: Type.String({ description: 'as dialled after the retrieve prefix: 7001, 333 or *7250' }),
  placeKind: PlaceKind,
  retrievalNumber: Type.String(),
  caller: Type.Object({ name: Type.String(), number: Type.String() }),
  parker: Nullable(Type.String({ description: 'extension number of who parked it' })),
  method: ParkMethod,
  groupId: Nullable(Uuid),
  state: StringEnum(['PARKED', 'RECALLING', 'CONNECTING', 'ENDED'] as const),
  parkedAt: DateTime,
  recallAt: Nullable(DateTime),
  timeoutAt: DateTime,
  waitedSec: Type.Integer(),
  secondsToRecall: Nullable(Type.Integer({ description: 'null: no recall due' })),
});

const Snapshot = Type.Object({
  items: Type.Array(ParkedCall),
  seq: Type.Integer({ description: "the tenant's last event this list includes: resume the event stream with ?since=<seq>&epoch=<epoch>" }),
  epoch: Type.String({ description: 'the event stream epoch (changes when the service restarts)' }),
  at: DateTime,
});

const ParkBody = Type.Object(
  {
    channelId: Type.String({ minLength: 1, maxLength: 200, description: 'the Asterisk channel of the caller to park' }),
    slot: Type.Optional(Digits),
    extension: Type.Optional(Digits),
    group: Type.Optional(Type.String({ minLength: 1, description: 'group name: its first free destination' })),
    parker: Type.Optional(Digits),
  },
  {
    additionalProperties: false,
    description: 'At most one of slot, extension, group; none: the next free place. parker: where recalls go (default: the other party).',
  },
);
const Parked = Type.Object({ parkedCallId: Uuid, place: Type.String(), placeKind: PlaceKind, retrievalNumber: Type.String() });
const RetrieveBody = Type.Object({ extension: Digits }, { additionalProperties: false });
const tags = ['call control'];

export const parkedCallRoutes =
  ({ service, configs, health, now, events }: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    const configOf = async (tenantId: string) => (await configs.tenantById(tenantId)) ?? Promise.reject(notFound('tenant', tenantId));
    const liveCall = (tenantId: string, id: string) => service.parked(tenantId).find((c) => c.id === id) ?? null;
    const requireAri = () => {
      if (health.ari() !== 'connected') throw new ParkingError('ari-unavailable', `Asterisk is not connected (${health.ari()}); try again shortly`);
    };

    app.get<{ Params: Static<typeof TenantParams> }>(
      '/parked-calls',
      {
        schema: { tags, summary: 'List the calls parked now', params: TenantParams, response: { 200: Snapshot, ...errors(404) } },
      },
      async (request) => {
        const config = await configOf(request.params.tenantId);
        // Read with the list, in the same tick: the list is current to exactly this event.
        const position = events.position(request.params.tenantId);
        const at = now();
        const items = service
          .parked(request.params.tenantId)
          .sort((a, b) => a.parkedAt - b.parkedAt)
          .map((call) => ({
            id: call.id,
            ...service.describe(config, call),
            waitedSec: Math.floor(Math.max(0, at - call.parkedAt) / 1000),
            secondsToRecall: call.recallAt === null ? null : Math.max(0, Math.ceil((call.recallAt - at) / 1000)),
          }));
        return { items, ...position, at: new Date(at).toISOString() };
      },
    );

    app.post<{ Params: Static<typeof TenantParams>; Body: Static<typeof ParkBody> }>(
      '/parked-calls',
      {
        schema: {
          tags,
          summary: 'Park a live call',
          params: TenantParams,
          body: ParkBody,
          response: { 202: Parked, ...errors(403, 404, 409, 503) },
        },
      },
      async (request, reply) => {
        const { tenantId } = request.params;
        const { channelId, slot, extension, group, parker } = request.body;
        if ([slot, extension, group].filter((t) => t !== undefined).length > 1) throw invalid('slot', 'or extension or group: give at most one');
        requireAri();
        const config = await configOf(tenantId);
        if (extension !== undefined && !config.extensions.has(extension)) throw notFound('extension', extension);
        let target: Place | 'auto' | { groupName: string } = 'auto';
        if (slot !== undefined) target = { kind: 'SLOT', number: slot };
        else if (extension !== undefined) target = { kind: 'EXTENSION', number: extension };
        else if (group !== undefined) target = { groupName: group };
        const { parkedCallId, place, retrievalNumber } = await service.park({ config, channelId, target, parkerExtension: parker ?? null });
        return reply.status(202).send({ parkedCallId, place: placeKey(place), placeKind: place.kind, retrievalNumber });
      },
    );

    app.post<{ Params: Static<typeof ItemParams>; Body: Static<typeof RetrieveBody> }>(
      '/parked-calls/:id/retrieve',
      {
        schema: {
          tags,
          summary: 'Ring a phone and connect the parked call when it answers',
          params: ItemParams,
          body: RetrieveBody,
          response: { 202: Type.Object({ parkedCallId: Uuid, extension: Type.String(), channelId: Type.String() }), ...errors(404, 503) },
        },
      },
      async (request, reply) => {
        const { tenantId, id } = request.params;
        const { extension } = request.body;
        if (!liveCall(tenantId, id)) throw new ParkingError('no-parked-call', `no parked call ${id}`);
        const endpoint = (await configOf(tenantId)).extensions.get(extension)?.endpoint;
        if (!endpoint) throw notFound('extension', extension);
        requireAri();
        const channelId = await service.deliver(id, endpoint, extension);
        return reply.status(202).send({ parkedCallId: id, extension, channelId });
      },
    );

    app.delete<{ Params: Static<typeof ItemParams> }>(
      '/parked-calls/:id',
      { schema: { tags, summary: 'Hang up a parked call', params: ItemParams, response: { 204: NoContent, ...errors(404, 503) } } },
      async (request, reply) => {
        const { tenantId, id } = request.params;
        if (!liveCall(tenantId, id)) throw new ParkingError('no-parked-call', `no parked call ${id}`);
        requireAri();
        await service.hangUp(id, `api:${request.principal.name}`);
        return reply.status(204).send();
      },
    );
  };
