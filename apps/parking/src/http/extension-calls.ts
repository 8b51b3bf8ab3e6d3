import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ParkingError } from '../domain/errors';
import type { HttpDeps } from './deps';
import { notFound } from './auth';
import { Digits, Nullable, Uuid, errors } from './schemas';

const Params = Type.Object({ tenantId: Uuid, number: Digits });

/** A live call of the extension's phone and the party it is talking to. */
export const ExtensionCall = Type.Object({
  channelId: Type.String({ description: "the phone's own channel" }),
  state: Type.String({ description: 'Asterisk channel state: Up, Ring, Ringing, ...' }),
  peer: Nullable(
    Type.Object(
      {
        channelId: Type.String({ description: 'park this one: POST .../parked-calls {"channelId": ...}' }),
        name: Type.String(),
        number: Type.String(),
      },
      { description: 'the other party; null while the call is not connected' },
    ),
  ),
});

/** GET /extensions/{number}/calls: what a console lists under "My calls", to park one of them. */
export const extensionCallRoutes =
  ({ service, configs, health }: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Params: Static<typeof Params> }>(
      '/extensions/:number/calls',
      {
        schema: {
          tags: ['call control'],
          summary: "The live calls of an extension's phone, with the other party of each",
          params: Params,
          response: { 200: Type.Object({ items: Type.Array(ExtensionCall) }), ...errors(404, 503) },
        },
      },
      async (request) => {
        const { tenantId, number } = request.params;
        const endpoint = (await configs.tenantById(tenantId))?.extensions.get(number)?.endpoint;
        if (!endpoint) throw notFound('extension', number);
        if (health.ari() !== 'connected') throw new ParkingError('ari-unavailable', `Asterisk is not connected (${health.ari()}); try again shortly`);
        return { items: await service.callsOf(endpoint) };
      },
    );
  };
