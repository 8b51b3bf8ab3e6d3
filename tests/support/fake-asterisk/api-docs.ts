/**
 * Generates the Swagger 1.1 api-docs that ari-client (swagger-client 2.0.26) loads at connect,
 * from the fake's own route table. Layout as Asterisk serves it (res/res_ari.c ast_ari_get_docs):
 * GET /ari/api-docs/resources.json lists `/api-docs/<resource>.{format}`, each resource declaration
 * lists its paths and operations and the models it uses, and `basePath` is rewritten to
 * `http://<Host header>/ari`.
 */
import type { ModelDecl } from './models';
import {
  APPLICATION_MODELS,
  ASTERISK_MODELS,
  BRIDGE_MODELS,
  CHANNEL_MODELS,
  DEVICE_STATE_MODELS,
  ENDPOINT_MODELS,
  EVENT_MODELS,
  PLAYBACK_MODELS,
  SOUND_MODELS,
} from './models';
import type { ResourceName, RouteDecl } from './route-types';

const RESOURCE_ORDER: Array<[ResourceName, string, ModelDecl[]]> = [
  ['asterisk', 'Asterisk resources', ASTERISK_MODELS],
  ['endpoints', 'Endpoint resources', ENDPOINT_MODELS],
  ['channels', 'Channel resources', CHANNEL_MODELS],
  ['bridges', 'Bridge resources', BRIDGE_MODELS],
  ['playbacks', 'Playback control resources', PLAYBACK_MODELS],
  ['sounds', 'Sound resources', SOUND_MODELS],
  ['deviceStates', 'Device state resources', DEVICE_STATE_MODELS],
  ['events', 'WebSocket resource', EVENT_MODELS],
  ['applications', 'Stasis application resources', APPLICATION_MODELS],
];

export const API_VERSION = '10.0.0';

export class ApiDocs {
  private readonly docs = new Map<string, (basePath: string) => unknown>();

  constructor(routes: Array<RouteDecl<never>>) {
    const resources = RESOURCE_ORDER.filter(([name]) => routes.some((r) => r.resource === name));
    this.docs.set('resources.json', (basePath) => ({
      apiVersion: API_VERSION,
      swaggerVersion: '1.1',
      basePath,
      apis: resources.map(([name, description]) => ({ path: `/api-docs/${name}.{format}`, description })),
    }));
    for (const [name, description, models] of resources) {
      const decl = buildDeclaration(
        name,
        description,
        routes.filter((r) => r.resource === name),
        models,
      );
      this.docs.set(`${name}.json`, (basePath) => ({ ...decl, basePath }));
    }
  }

  /** `file` is the part after /ari/api-docs/, e.g. "resources.json" or "channels.json". */
  get(file: string, host: string | undefined): unknown | undefined {
    const make = this.docs.get(file);
    if (!make) return undefined;
    const doc = make(host ? `http://${host}/ari` : '') as Record<string, unknown>;
    if (!host) delete doc.basePath;
    return doc;
  }
}

function buildDeclaration(
  name: ResourceName,
  description: string,
  routes: Array<RouteDecl<never>>,
  models: ModelDecl[],
): Record<string, unknown> {
  const apis: Array<{ path: string; description: string; operations: unknown[] }> = [];
  const byPath = new Map<string, { path: string; description: string; operations: unknown[] }>();
  for (const r of routes) {
    let api = byPath.get(r.path);
    if (!api) {
      api = { path: r.path, description: r.summary, operations: [] };
      byPath.set(r.path, api);
      apis.push(api);
    }
    api.operations.push({
      httpMethod: r.method,
      summary: r.summary,
      nickname: r.nickname,
      responseClass: r.responseClass,
      ...(r.websocket ? { upgrade: 'websocket', websocketProtocol: 'ari' } : {}),
      parameters: r.params.map((p) => {
        const out: Record<string, unknown> = {
          name: p.name,
          description: p.description ?? p.name,
          paramType: p.paramType,
        };
        if (p.required !== undefined) out.required = p.required;
        if (p.required !== undefined || p.paramType !== 'path') out.allowMultiple = !!p.allowMultiple;
        out.dataType = p.dataType;
        if (p.defaultValue !== undefined) out.defaultValue = p.defaultValue;
        if (p.allowableValues) out.allowableValues = { valueType: 'LIST', values: p.allowableValues };
        return out;
      }),
      errorResponses: r.errors.map(([code, reason]) => ({ code, reason })),
    });
  }
  const modelMap: Record<string, unknown> = {};
  for (const m of models) modelMap[m.id] = m;
  return {
    _generator: 'fake-asterisk (tests/support/fake-asterisk)',
    apiVersion: '2.0.0',
    swaggerVersion: '1.1',
    resourcePath: `/api-docs/${name}.{format}`,
    description,
    apis,
    models: modelMap,
  };
}
