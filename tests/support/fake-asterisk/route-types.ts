/**
 * The fake's ARI route table types, and ARI's parameter parsing rules.
 *
 * Parameter parsing mimics the code Asterisk generates for every operation
 * (res/res_ari_channels.c ast_ari_channels_*_cb and *_parse_body):
 *  - each occurrence of a query parameter overwrites the previous one (the last one wins, also for
 *    allowMultiple parameters: `media=a&media=b` plays only `b`);
 *  - allowMultiple values are split on commas (ast_app_separate_args), which is how ari-client sends
 *    arrays (`media=sound%3Aa%2Cdigits%3A1`);
 *  - int/long use atoi()/atol() (garbage gives 0), booleans use ast_true();
 *  - a JSON body may carry any query parameter too, and overrides the query string (parse_body);
 *    a single string in the body is not split;
 *  - body parameters (`variables`, `fields`, `filter`) receive the whole JSON body.
 */
import { atoi, astTrue, separateArgs } from './util';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type ResourceName =
  | 'asterisk'
  | 'sounds'
  | 'endpoints'
  | 'channels'
  | 'bridges'
  | 'playbacks'
  | 'deviceStates'
  | 'events'
  | 'applications';

export interface ParamDecl {
  name: string;
  paramType: 'path' | 'query' | 'body';
  dataType: 'string' | 'int' | 'long' | 'boolean' | 'containers' | 'object';
  /** undefined: omitted from the api-docs, as Asterisk does for the endpoints path parameters. */
  required?: boolean;
  allowMultiple?: boolean;
  allowableValues?: string[];
  defaultValue?: string | number | boolean;
  description?: string;
}

export interface AriResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ParamValue = string | string[] | number | boolean | undefined;

export interface AriRequest {
  /** Parsed path, query and body-embedded parameters, by declared name. */
  params: Record<string, ParamValue>;
  /** The JSON request body (object, array, ...) or null. */
  body: unknown;
  host: string;
}

export interface RouteDecl<E = unknown> {
  resource: ResourceName;
  method: HttpMethod;
  path: string;
  nickname: string;
  summary: string;
  responseClass: string;
  params: ParamDecl[];
  errors: Array<[number, string]>;
  /** Set for GET /events: answered by the WebSocket upgrade, never by the handler. */
  websocket?: boolean;
  handler: (engine: E, req: AriRequest) => AriResult | Promise<AriResult>;
}

/** Query parameters in arrival order (ARI keeps duplicates and lets the last one win). */
export type QueryList = Array<[string, string]>;

export function coerceQuery(decl: ParamDecl, raw: string): ParamValue {
  if (decl.allowMultiple) {
    // "ast_app_separate_args can't handle """: an empty value gives one empty element.
    return raw === '' ? [''] : separateArgs(raw);
  }
  switch (decl.dataType) {
    case 'int':
    case 'long':
      return atoi(raw);
    case 'boolean':
      return astTrue(raw);
    default:
      return raw;
  }
}

function coerceBody(decl: ParamDecl, field: unknown): ParamValue {
  if (decl.allowMultiple) {
    if (Array.isArray(field)) return field.map((f) => (typeof f === 'string' ? f : ''));
    return [typeof field === 'string' ? field : ''];
  }
  switch (decl.dataType) {
    case 'int':
    case 'long':
      return typeof field === 'number' ? Math.trunc(field) : 0;
    case 'boolean':
      return field === true;
    default:
      return typeof field === 'string' ? field : undefined;
  }
}

/** Builds the handler's parameters from path variables, the query list and the JSON body. */
export function parseParams(
  route: { params: ParamDecl[] },
  pathVars: Record<string, string>,
  query: QueryList,
  body: unknown,
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  const byName = new Map<string, ParamDecl>();
  for (const p of route.params) {
    if (p.paramType === 'query') byName.set(p.name, p);
  }
  for (const [name, value] of query) {
    const decl = byName.get(name);
    if (decl) out[name] = coerceQuery(decl, value);
  }
  for (const p of route.params) {
    if (p.paramType === 'path') out[p.name] = pathVars[p.name];
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const obj = body as Record<string, unknown>;
    for (const [name, decl] of byName) {
      if (Object.prototype.hasOwnProperty.call(obj, name)) out[name] = coerceBody(decl, obj[name]);
    }
  }
  return out;
}

export const str = (v: ParamValue): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) ? v[v.length - 1] : v === undefined ? undefined : String(v);
export const num = (v: ParamValue): number => (typeof v === 'number' ? v : 0);
export const bool = (v: ParamValue): boolean => v === true;
export const list = (v: ParamValue): string[] =>
  Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
export const isEmpty = (v: string | undefined | null): boolean => v == null || v === '';
