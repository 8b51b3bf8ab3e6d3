/**
 * ARI request dispatch, shared by HTTP and REST-over-WebSocket (res/res_ari.c ast_ari_invoke):
 * trailing slash check, api-docs, path segment routing (literal segments win over {wildcards}),
 * OPTIONS, 405 with Allow, parameter parsing, handler, error bodies.
 */
import type { ApiDocs } from './api-docs';
import type { Engine } from './engine';
import { AriError } from './errors';
import type { AriResult, HttpMethod, QueryList } from './route-types';
import { parseParams } from './route-types';
import type { Route } from './resources';

interface Node {
  children: Map<string, Node>;
  wildcard: { name: string; node: Node } | null;
  routes: Map<HttpMethod, Route>;
}

const newNode = (): Node => ({ children: new Map(), wildcard: null, routes: new Map() });

export interface AriDispatchResult extends AriResult {
  reason?: string;
}

export class Router {
  private readonly root = newNode();

  constructor(
    readonly routes: Route[],
    private readonly docs: ApiDocs,
  ) {
    for (const r of routes) {
      let node = this.root;
      for (const seg of r.path.split('/').filter(Boolean)) {
        const m = /^\{(\w+)\}$/.exec(seg);
        if (m) {
          if (!node.wildcard) node.wildcard = { name: m[1], node: newNode() };
          node = node.wildcard.node;
        } else {
          let next = node.children.get(seg);
          if (!next) node.children.set(seg, (next = newNode()));
          node = next;
        }
      }
      node.routes.set(r.method, r);
    }
  }

  /** Finds the node for a path below /ari (e.g. "channels/123/play"). */
  private lookup(path: string): { node: Node; vars: Record<string, string> } | null {
    let node = this.root;
    const vars: Record<string, string> = {};
    for (const raw of path.split('/')) {
      if (raw === '') break;
      let seg: string;
      try {
        seg = decodeURIComponent(raw.replace(/\+/g, ' '));
      } catch {
        seg = raw;
      }
      const child = node.children.get(seg);
      if (child) {
        node = child;
      } else if (node.wildcard) {
        vars[node.wildcard.name] = seg;
        node = node.wildcard.node;
      } else {
        return null;
      }
    }
    return { node, vars };
  }

  /** `path` is what follows "/ari/" (no leading slash). */
  async dispatch(
    engine: Engine,
    method: string,
    path: string,
    query: QueryList,
    body: unknown,
    host: string | undefined,
  ): Promise<AriDispatchResult> {
    if (path.endsWith('/')) {
      return errorResult(404, `ARI URLs do not end with a slash. Try /ari/${path.slice(0, -1)}`);
    }
    if (path.startsWith('api-docs/')) {
      if (method !== 'GET') return errorResult(405, 'Unsupported method');
      const doc = this.docs.get(path.slice('api-docs/'.length), host);
      if (!doc) return errorResult(404, 'Resource not found');
      return { status: 200, body: doc };
    }
    const found = this.lookup(path);
    if (!found) return errorResult(404, 'Resource not found');
    const allow = 'OPTIONS' + [...found.node.routes.keys()].map((m) => ',' + m).join('');
    if (method === 'OPTIONS') return { status: 204, headers: { Allow: allow } };
    const route = found.node.routes.get(method as HttpMethod);
    if (!route) return { ...errorResult(405, 'Invalid method'), headers: { Allow: allow } };
    if (route.websocket) return { status: 426, body: undefined, reason: 'Upgrade Required' };
    try {
      const params = parseParams(route, found.vars, query, body);
      return await route.handler(engine, { params, body, host: host ?? '' });
    } catch (e) {
      if (e instanceof AriError) return { status: e.status, body: e.body, reason: e.reason };
      engine.warnings.push(`${method} /ari/${path} failed: ${(e as Error).stack ?? String(e)}`);
      return errorResult(500, `Internal error in fake Asterisk: ${(e as Error).message}`);
    }
  }
}

export function errorResult(status: number, message: string): AriDispatchResult {
  const e = new AriError(status, message);
  return { status, body: e.body, reason: e.reason };
}
