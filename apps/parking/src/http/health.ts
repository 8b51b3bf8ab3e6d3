import type { FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  /** Resolves when the database answers; rejects otherwise. */
  database(): Promise<void>;
  /** 'standby': another instance is active and owns the ARI application (O6). */
  ari(): 'connected' | 'connecting' | 'reconnecting' | 'stopped' | 'standby';
  /** Database writes waiting in the queue (they are retried until the database is back). */
  pendingWrites(): number;
  /** What was missing on Asterisk at the last connection (null: not checked yet). */
  asteriskSetup?(): { parkingFallback: string | null; missingSounds: string[] } | null;
}

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
  checks: Type.Object({
    database: Type.String(),
    ari: Type.String(),
    pendingWrites: Type.Integer(),
    parkingFallback: Type.Optional(Type.String({ description: '"ok", or why the dialplan fallback (res_parking) would not work; does not make the service not ready' })),
    sounds: Type.Optional(Type.String({ description: '"ok", or the prompts Asterisk lacks; does not make the service not ready' })),
  }),
});

/** Liveness (the process answers) and readiness (database and ARI both usable). */
export const healthRoutes =
  (checks: HealthChecks, metrics?: Registry, guard?: onRequestAsyncHookHandler): FastifyPluginAsync =>
  async (app) => {
    if (metrics) {
      // Prometheus text format (O4).
      app.get('/metrics', { schema: { tags: ['health'], produces: ['text/plain'] }, ...(guard ? { onRequest: guard } : {}) }, async (_request, reply) =>
        reply.type(metrics.contentType).send(await metrics.metrics()),
      );
    }
    app.get('/healthz', { schema: { tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({
      status: 'ok' as const,
    }));
    app.get('/readyz', { schema: { tags: ['health'], response: { 200: Readiness, 503: Readiness } } }, async (_request, reply) => {
      const database = await checks
        .database()
        .then(() => 'ok')
        .catch((err: Error) => `unreachable: ${err.message.split('\n')[0]}`);
      const ari = checks.ari();
      const ready = database === 'ok' && ari === 'connected';
      const ariText = ari === 'connected' ? 'ok' : `not connected (${ari})`;
      // Degraded, not unready: calls are parked by this service either way (see README).
      const setup = checks.asteriskSetup?.() ?? null;
      const details = setup
        ? {
            parkingFallback: setup.parkingFallback ?? 'ok',
            sounds: setup.missingSounds.length ? `missing: ${setup.missingSounds.join(', ')}` : 'ok',
          }
        : {};
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not-ready', checks: { database, ari: ariText, pendingWrites: checks.pendingWrites(), ...details } });
    });
  };
