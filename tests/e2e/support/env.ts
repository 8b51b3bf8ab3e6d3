/**
 * Where the end-to-end suite finds Asterisk, PostgreSQL and sipp. Defaults fit the loopback
 * test Asterisk described in tests/e2e/README.md.
 */
export interface E2eEnv {
  ariUrl: string;
  ariUsername: string;
  ariPassword: string;
  /** Asterisk's SIP address as sipp reaches it: host:port (UDP). */
  sipHost: string;
  sipPort: number;
  /** Server URL; each run creates its own database on it and drops it afterwards. */
  databaseUrl: string;
  /** Where the tenants' dialplan is written, and the command that makes Asterisk load it. */
  dialplanFile: string;
  reloadCommand: string;
  /** Runs an Asterisk CLI command (`<command> '<cli command>'`); used for diagnostics only. */
  cliCommand: string;
  sippBinary: string;
  /** The service's log level (LOG_LEVEL=debug to see every ARI step). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Keep sipp message logs after the run (E2E_KEEP_LOGS=1); they are kept anyway on failure. */
  keepLogs: boolean;
}

export function e2eEnv(env: NodeJS.ProcessEnv = process.env): E2eEnv {
  const sip = env.SIP_HOST?.trim() || '127.0.0.1:5060';
  const [sipHost, sipPort = '5060'] = sip.split(':');
  return {
    ariUrl: (env.ARI_URL?.trim() || 'http://127.0.0.1:8088').replace(/\/+$/, ''),
    ariUsername: env.ARI_USERNAME?.trim() || 'parking',
    ariPassword: env.ARI_PASSWORD?.trim() || 'parking',
    sipHost,
    sipPort: Number(sipPort),
    databaseUrl: env.DATABASE_URL?.trim() || 'postgresql://postgres@127.0.0.1:5432/postgres',
    dialplanFile: env.ASTERISK_DIALPLAN_FILE?.trim() || '/opt/asterisk/etc/asterisk/extensions_parking_tenants.conf',
    reloadCommand: env.ASTERISK_RELOAD_CMD?.trim() || 'asterisk -rx "dialplan reload"',
    cliCommand: env.ASTERISK_CLI_CMD?.trim() || 'asterisk -rx',
    sippBinary: env.SIPP?.trim() || 'sipp',
    logLevel: (env.LOG_LEVEL?.trim() as E2eEnv['logLevel']) || 'warn',
    keepLogs: env.E2E_KEEP_LOGS === '1',
  };
}
