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
      const fields = (err as FastifyError).validation!.map((v) => ({
        field: (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.') || String(v.params?.missingProperty ?? ''),
        problem: v.message ?? 'is invalid',
      }));
      return reply.status(400).send({ error: { id: 'validation', message: err.message, details: { fields } } });
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
