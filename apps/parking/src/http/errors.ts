import type { FastifyError, FastifyInstance } from 'fastify';
import { ParkingError } from '../domain/errors';
import { Type } from '@sinclair/typebox';

/** The one error body of the API: { error: { id, message, details } }. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      id: Type.String({ description: 'Stable error id, e.g. slot-occupied, not-found, validation' }),
      message: Type.String(),
      details: Type.Record(Type.String(), Type.Unknown()),
    }),
  },
  { $id: 'Error' },
);

/** Seconds a client should wait before trying again after a 503 database-unavailable. */
const DATABASE_RETRY_AFTER_SEC = 5;

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ParkingError, request, reply) => {
    if (err instanceof ParkingError) {
      if (err.id === 'rate-limited') reply.header('retry-after', String(err.details.retryAfter ?? 60).replace(/\D.*$/, '') || '60');
      return reply.status(err.status).send({ error: { id: err.id, message: err.message, details: err.details } });
    }
    if ((err as FastifyError).validation) {
      const list = fieldProblems((err as FastifyError).validation!);
      const message = `invalid request: ${list.map((f) => `${f.field || (err as FastifyError).validationContext} ${f.problem}`).join('; ')}`;
      return reply.status(400).send({ error: { id: 'validation', message, details: { fields: list } } });
    }
    const prismaError = fromPrisma(err);
    if (prismaError) {
      return reply.status(prismaError.status).send({ error: { id: prismaError.id, message: prismaError.message, details: prismaError.details } });
    }
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err: (err as Error).message }, 'database unavailable');
      return reply
        .status(503)
        .header('retry-after', String(DATABASE_RETRY_AFTER_SEC))
        .send({ error: { id: 'database-unavailable', message: 'the database is unavailable; try again shortly', details: {} } });
    }
    const code = (err as FastifyError).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: { id: 'payload-too-large', message: err.message, details: {} } });
    }
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: { id: 'unsupported-media-type', message: err.message, details: { contentType: request.headers['content-type'] ?? null } } });
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.status(status).send({
      error: { id: status >= 500 ? 'internal' : 'bad-request', message: status >= 500 ? 'internal error' : err.message, details: {} },
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { id: 'not-found', message: `no route ${request.method} ${request.url}`, details: {} } }),
  );
}

/** Friendlier words for the unique constraints of the schema (index name -> field, message). */
const uniqueMessages: Record<string, [string, string]> = {
  Tenant_slug_key: ['slug', 'a tenant with this slug exists'],
  Extension_tenantId_number_key: ['number', 'duplicate extension number'],
  Extension_endpoint_key: ['endpoint', 'this endpoint already belongs to an extension'],
  ParkSlot_tenantId_number_key: ['number', 'duplicate slot number'],
  Group_tenantId_name_key: ['name', 'duplicate group name'],
  GroupMember_extensionId_key: ['members', 'an extension is already in a group'],
  HuntGroup_tenantId_name_key: ['name', 'duplicate hunt group name'],
};

/** Prisma's known errors as the API's: unique violations are conflicts naming the field. */
function fromPrisma(err: unknown): ParkingError | null {
  type Constraint = { index?: string; fields?: string[] };
  const e = err as { name?: string; code?: string; meta?: { modelName?: string; driverAdapterError?: { cause?: { constraint?: Constraint } } } };
  if (e?.name !== 'PrismaClientKnownRequestError') return null;
  if (e.code === 'P2002') {
    const constraint = e.meta?.driverAdapterError?.cause?.constraint;
    const index = constraint?.index ?? '';
    const [field, message] = uniqueMessages[index] ?? [constraint?.fields?.join(',') ?? 'unknown', `duplicate ${e.meta?.modelName ?? 'value'}`];
    return new ParkingError('conflict', message, { field, constraint: index });
  }
  if (e.code === 'P2025') return new ParkingError('not-found', `no such ${e.meta?.modelName ?? 'record'}`);
  return null;
}

/** Connection-level failures of the database (refused, reset, timed out, pool exhausted), as opposed to a bad query. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const UNAVAILABLE_NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { name?: string; code?: string; cause?: unknown; kind?: string } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.name === 'PrismaClientInitializationError' || e.name === 'PrismaClientRustPanicError') return true;
    if (e.kind === 'DatabaseNotReachable' || e.kind === 'SocketTimeout' || e.kind === 'ConnectionClosed' || e.kind === 'TooManyConnections') return true;
    if (e.code && (UNAVAILABLE_PRISMA_CODES.has(e.code) || UNAVAILABLE_NET_CODES.has(e.code))) return true;
    if (/Connection terminated|connect ECONNREFUSED|Can't reach database/i.test((e as Error).message ?? '')) return true;
  }
  return false;
}

/** Ajv's errors as { field, problem }, one problem per field: the first (a nullable's extra errors add nothing). */
export function fieldProblems(errors: ReadonlyArray<{ instancePath: string; params?: Record<string, unknown>; message?: string }>) {
  const fields = new Map<string, string>();
  for (const v of errors) {
    const field = [v.instancePath.replace(/^\//, '').replace(/\//g, '.'), v.params?.missingProperty ?? v.params?.additionalProperty]
      .filter(Boolean)
      .join('.');
    if (!fields.has(field)) fields.set(field, v.message ?? 'is invalid');
  }
  return [...fields].map(([field, problem]) => ({ field, problem }));
}
