/**
 * The service's configuration, parsed and validated once at start. Nothing else reads
 * process.env: everything is passed in from main.ts.
 */
export interface Config {
  ari: { url: string; username: string; password: string; app: string; maxSockets: number };
  /** Null: start an embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  http: { host: string; port: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Bootstrap system-wide API key (only its hash is kept in memory). */
  adminApiKey: string | null;
  /** Where the service writes the tenants' dialplan and reloads it (B3); null: the CLI does it. */
  asteriskDialplanFile?: string | null;
  /** Webhooks may go to loopback, private and link-local addresses. */
  webhookAllowPrivateNetworks?: boolean;
  /** API requests per key (or client address) per minute; null: unlimited. */
  apiRateLimitPerMinute?: number | null;
  /** /docs and /metrics without a key. */
  publicDocs?: boolean;
  publicMetrics?: boolean;
  /** The built receptionist console served at /console; null: the default, dist/console. */
  consoleDir: string | null;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env): Config {
  const text = (name: string, fallback: string | null): string => {
    const value = env[name]?.trim();
    if (value) return value;
    if (fallback === null) throw new ConfigError(name, 'is required but not set');
    return fallback;
  };
  const optional = (name: string): string | null => env[name]?.trim() || null;
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const url = (name: string, fallback: string | null, protocols: string[]): string => {
    const value = text(name, fallback);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(name, `is not a URL: "${value}"`);
    }
    if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `must start with ${protocols.join(' or ')}, got "${value}"`);
    return value.replace(/\/+$/, '');
  };

  const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = text('LOG_LEVEL', 'info') as Config['logLevel'];
  if (!logLevels.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${logLevels.join(', ')}, got "${logLevel}"`);

  const app = text('ARI_APP', 'parking');
  if (!/^[A-Za-z0-9_-]+$/.test(app)) throw new ConfigError('ARI_APP', `may only hold letters, digits, _ and -, got "${app}"`);

  const adminApiKey = optional('ADMIN_API_KEY');
  if (adminApiKey !== null && adminApiKey.length < 24) throw new ConfigError('ADMIN_API_KEY', 'must be at least 24 characters long');

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    throw new ConfigError(name, `must be true or false, got "${raw}"`);
  };
  const httpHost = text('HTTP_HOST', '127.0.0.1');
  // Metrics may stay open on a loopback or private bind; on any other, they need a key by default.
  const privateBind = /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|::1$|localhost$)/.test(httpHost);
  const rate = integer('API_RATE_LIMIT', 3000, 0, 1_000_000);

  const databaseUrl = optional('DATABASE_URL');
  if (databaseUrl !== null) url('DATABASE_URL', null, ['postgresql:', 'postgres:']);

  return {
    ari: {
      url: url('ARI_URL', 'http://127.0.0.1:8088', ['http:', 'https:']),
      username: text('ARI_USERNAME', 'parking'),
      password: text('ARI_PASSWORD', 'parking'),
      app,
      maxSockets: integer('ARI_MAX_SOCKETS', 32, 1, 1000),
    },
    databaseUrl,
    dataDir: text('DATA_DIR', '.data'),
    http: { host: httpHost, port: integer('HTTP_PORT', 8080, 0, 65535) },
    logLevel,
    adminApiKey,
    asteriskDialplanFile: optional('ASTERISK_DIALPLAN_FILE'),
    webhookAllowPrivateNetworks: bool('WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    apiRateLimitPerMinute: rate === 0 ? null : rate,
    publicDocs: bool('DOCS_PUBLIC', true),
    publicMetrics: bool('METRICS_PUBLIC', privateBind),
    consoleDir: optional('CONSOLE_DIR'),
  };
}
