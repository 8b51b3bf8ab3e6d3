import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import type { PrismaClient } from '../../../../generated/prisma/client';
import { apiKeysRepo } from '../store/api-keys-repo';
import { tenantsRepo } from '../store/tenants-repo';
import { ParkingError } from '../domain/errors';

/** Who is calling: an API key scoped to one tenant, or system-wide (tenantId null). */
export interface Principal {
  keyId: string | null;
  name: string;
  tenantId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** The key may come as ?apiKey= (browsers cannot set headers on WebSockets). */
    apiKeyInQuery?: boolean;
    /** The key may come as a WebSocket subprotocol `bearer.<base64url(key)>`: a browser can set that, and it stays out of URLs and logs. */
    apiKeyInProtocol?: boolean;
  }
}

/** Keys are 32 random bytes, so SHA-256 is enough: only the hash is stored. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
export const newApiKey = (): string => `pk_${randomBytes(32).toString('base64url')}`;

const LAST_USED_RESOLUTION_MS = 60_000;

export interface AuthDeps {
  prisma: PrismaClient;
  adminApiKey: string | null;
  now: () => number;
}

/** onRequest hook: `Authorization: Bearer <key>` (or ?apiKey= where allowed) -> request.principal. */
export function authenticate(deps: AuthDeps): onRequestAsyncHookHandler {
  const adminHash = deps.adminApiKey ? Buffer.from(hashApiKey(deps.adminApiKey), 'hex') : null;
  const keys = apiKeysRepo(deps.prisma);
  return async (request) => {
    const key = presentedKey(request);
    if (!key) throw new ParkingError('unauthorized', 'an API key is required: Authorization: Bearer <key>');
    const hash = hashApiKey(key);
    if (adminHash && timingSafeEqual(Buffer.from(hash, 'hex'), adminHash)) {
      request.principal = { keyId: null, name: 'bootstrap-admin', tenantId: null };
      return;
    }
    const row = await keys.byHash(hash);
    if (!row || row.revokedAt) throw new ParkingError('unauthorized', 'unknown or revoked API key');
    request.principal = { keyId: row.id, name: row.name, tenantId: row.tenantId };
    const now = deps.now();
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      keys.markUsed(row.id, new Date(now)).catch(() => undefined);
    }
  };
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const bearer = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (bearer) return bearer;
  if (request.routeOptions.config.apiKeyInProtocol) {
    const offered = String(request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const encoded = offered.find((p) => p.startsWith('bearer.'))?.slice('bearer.'.length);
    if (encoded) return Buffer.from(encoded, 'base64url').toString('utf8') || undefined;
  }
  if (request.routeOptions.config.apiKeyInQuery) return (request.query as { apiKey?: string }).apiKey || undefined;
  return undefined;
}

export const notFound = (what: string, id: string) => new ParkingError('not-found', `no ${what} ${id}`, { [what]: id });

export function requireAdmin(request: FastifyRequest): void {
  if (request.principal.tenantId !== null) throw new ParkingError('not-allowed', 'this needs a system-wide API key');
}

/**
 * The tenant a request may see: a tenant key only its own (another tenant's id is "not found",
 * never "forbidden"); a system-wide key any existing tenant.
 */
export async function assertTenantVisible(prisma: PrismaClient, principal: Principal, tenantId: string): Promise<void> {
  if (principal.tenantId !== null) {
    if (principal.tenantId !== tenantId) throw notFound('tenant', tenantId);
    return;
  }
  if (!(await tenantsRepo(prisma).exists(tenantId))) throw notFound('tenant', tenantId);
}

/**
 * The tenant filter of a cross-tenant query (`?tenantId=`): a tenant key is always held to
 * its own tenant; a system-wide key sees the one asked for, or all (null).
 */
export async function tenantFilter(prisma: PrismaClient, principal: Principal, requested: string | undefined): Promise<string | null> {
  if (requested !== undefined) {
    await assertTenantVisible(prisma, principal, requested);
    return requested;
  }
  return principal.tenantId;
}

/** preHandler of every /tenants/{tenantId}/... route. */
export const scopeToTenant =
  (prisma: PrismaClient): preHandlerAsyncHookHandler =>
  async (request) => {
    await assertTenantVisible(prisma, request.principal, (request.params as { tenantId: string }).tenantId);
  };
