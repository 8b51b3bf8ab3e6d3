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

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ParkingError, request, reply) => {
    if (err instanceof ParkingError) {
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
