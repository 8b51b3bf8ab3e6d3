import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { historyRepo } from '../store/history-repo';
import type { HttpDeps } from './deps';
import { notFound } from './auth';
import {
  DateTime,
  ItemParams,
  ListQuery,
  Nullable,
  Page,
  ParkMethod,
  PlaceKind,
  StringEnum,
  TenantParams,
  Uuid,
  errors,
  pageOf,
} from './schemas';

const Outcome = StringEnum(['RETRIEVED', 'RECALL_ANSWERED', 'HUNT_GROUP', 'ABANDONED', 'TIMED_OUT', 'HUNG_UP', 'LOST'] as const);

/** One parked call's life (A6): who parked it where, how long the caller waited, how it ended. */
export const HistoryEntry = Type.Object({
  id: Uuid,
  place: Type.String(),
  placeKind: PlaceKind,
  groupId: Nullable(Uuid),
  callerName: Type.String(),
  callerNumber: Type.String(),
  parkerExtension: Nullable(Type.String()),
  method: ParkMethod,
  state: StringEnum(['PARKED', 'RECALLING', 'ENDED'] as const),
  parkedAt: DateTime,
  endedAt: Nullable(DateTime),
  outcome: Nullable(Outcome),
  retrievedBy: Nullable(Type.String()),
  recallAttempts: Type.Integer(),
  waitedSec: Type.Integer({ description: 'endedAt (or now, while parked) minus parkedAt' }),
});
const Timeline = Type.Array(Type.Object({ id: Type.String(), type: Type.String(), at: DateTime, details: Type.Record(Type.String(), Type.Unknown()) }));

const Query = ListQuery(
  Type.Object({
    from: Type.Optional(Type.String({ format: 'date-time', description: 'parked at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'parked before' })),
    place: Type.Optional(Type.String()),
    parker: Type.Optional(Type.String({ description: 'parker extension number' })),
    outcome: Type.Optional(Outcome),
  }),
);
const tags = ['history'];

export const historyRoutes =
  ({ prisma, now }: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    const history = historyRepo(prisma);
    const withWait = <T extends { parkedAt: Date; endedAt: Date | null }>(row: T) => ({
      ...row,
      waitedSec: Math.max(0, Math.floor(((row.endedAt?.getTime() ?? now()) - row.parkedAt.getTime()) / 1000)),
    });

    app.get<{ Params: Static<typeof TenantParams>; Querystring: Static<typeof Query> }>(
      '/history',
      { schema: { tags, summary: 'Parked calls, newest first', params: TenantParams, querystring: Query, response: { 200: Page(HistoryEntry), ...errors(404) } } },
      async (request) => {
        const q = request.query;
        const filter = { tenantId: request.params.tenantId, from: q.from, to: q.to, place: q.place, parker: q.parker, outcome: q.outcome };
        return pageOf(q, history.count(filter), async (paging) => (await history.list(filter, paging)).map(withWait));
      },
    );

    app.get<{ Params: Static<typeof ItemParams> }>(
      '/history/:id',
      {
        schema: {
          tags,
          summary: 'One parked call with its timeline',
          params: ItemParams,
          response: { 200: Type.Composite([HistoryEntry, Type.Object({ events: Timeline })]), ...errors(404) },
        },
      },
      async (request) => {
        const { tenantId, id } = request.params;
        const row = await history.withEvents(tenantId, id);
        if (!row) throw notFound('parked call', id);
        return { ...withWait(row), events: row.events.map((e) => ({ ...e, id: e.id.toString(), details: e.details as Record<string, unknown> })) };
      },
    );
  };
