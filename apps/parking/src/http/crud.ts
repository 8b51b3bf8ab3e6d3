import type { FastifyPluginAsync } from 'fastify';
import { type Static, type TObject, type TSchema } from '@sinclair/typebox';
import type { ConfigSource } from '../ports';
import { notFound } from './auth';
import { errors, ItemParams, ListQuery, NoContent, Page, TenantParams, type PageQuery } from './schemas';

/**
 * The five routes of a tenant's resource (list, create, read, update, delete), driven by its
 * one schema and a few store functions. Every write invalidates the tenant's cached
 * configuration, so running call flows see it at once.
 */
export interface Resource<Item extends TSchema, Create extends TSchema, Patch extends TSchema, Filters extends TObject> {
  /** Path under /tenants/{tenantId}/, e.g. "slots". */
  path: string;
  /** The name of one, e.g. "slot" (for messages and the OpenAPI tag). */
  noun: string;
  tag: string;
  item: Item;
  /** The 201 answer of a create, when it shows more than reads do (a webhook's secret, once). */
  created?: TSchema;
  create: Create;
  patch: Patch;
  filters: Filters;
  list(tenantId: string, filters: Static<Filters>, page: PageQuery): Promise<{ total: number; items: Static<Item>[]; limit: number; offset: number }>;
  get(tenantId: string, id: string): Promise<Static<Item> | null>;
  add(tenantId: string, body: Static<Create>): Promise<Static<Item>>;
  update(tenantId: string, current: Static<Item>, body: Static<Patch>): Promise<Static<Item>>;
  remove(tenantId: string, current: Static<Item>): Promise<void>;
}

export function resourceRoutes<I extends TSchema, C extends TSchema, P extends TSchema, F extends TObject>(
  r: Resource<I, C, P, F>,
  configs: Pick<ConfigSource, 'invalidate'>,
): FastifyPluginAsync {
  const collection = `/${r.path}`;
  const item = `/${r.path}/:id`;
  const tags = [r.tag];
  type Item = Static<I>;
  return async (app) => {
    const load = async (tenantId: string, id: string): Promise<Item> => {
      const found = await r.get(tenantId, id);
      if (!found) throw notFound(r.noun, id);
      return found;
    };
    app.get<{ Params: Static<typeof TenantParams>; Querystring: Static<F> & PageQuery }>(
      collection,
      { schema: { tags, summary: `List ${r.path}`, params: TenantParams, querystring: ListQuery(r.filters), response: { 200: Page(r.item), ...errors(404) } } },
      async (request) => {
        const { limit, offset, ...filters } = request.query as PageQuery & Record<string, unknown>;
        return r.list(request.params.tenantId, filters as Static<F>, { limit, offset });
      },
    );
    app.post<{ Params: Static<typeof TenantParams>; Body: Static<C> }>(
      collection,
      { schema: { tags, summary: `Create a ${r.noun}`, params: TenantParams, body: r.create, response: { 201: r.created ?? r.item, ...errors(404, 409, 422) } } },
      async (request, reply) => {
        const created = await r.add(request.params.tenantId, request.body);
        configs.invalidate(request.params.tenantId);
        return reply.status(201).send(created);
      },
    );
    app.get<{ Params: Static<typeof ItemParams> }>(
      item,
      { schema: { tags, summary: `Read a ${r.noun}`, params: ItemParams, response: { 200: r.item, ...errors(404) } } },
      async (request) => load(request.params.tenantId, request.params.id),
    );
    app.patch<{ Params: Static<typeof ItemParams>; Body: Static<P> }>(
      item,
      { schema: { tags, summary: `Update a ${r.noun}`, params: ItemParams, body: r.patch, response: { 200: r.item, ...errors(404, 409, 422) } } },
      async (request) => {
        const { tenantId, id } = request.params;
        const updated = await r.update(tenantId, await load(tenantId, id), request.body);
        configs.invalidate(tenantId);
        return updated;
      },
    );
    app.delete<{ Params: Static<typeof ItemParams> }>(
      item,
      { schema: { tags, summary: `Delete a ${r.noun}`, params: ItemParams, response: { 204: NoContent, ...errors(404, 409) } } },
      async (request, reply) => {
        const { tenantId, id } = request.params;
        await r.remove(tenantId, await load(tenantId, id));
        configs.invalidate(tenantId);
        return reply.status(204).send();
      },
    );
  };
}
