/**
 * ari-client, loaded in one place. It ships no types: callers say what they expect of the client.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ari = require('ari-client') as { connect(url: string, user: string, pass: string): Promise<unknown> };

// swagger-client (inside ari-client) logs through a global `log` it defines, straight to stdout.
// Asterisk serves its api-docs as Swagger 1.1 (rest-api/resources.json), which swagger-client
// answers with "This API is using a deprecated version of Swagger!" at every connect: noise, as
// nothing can be done about it. Drop that one message; let the others through.
const DEPRECATED_SWAGGER = 'This API is using a deprecated version of Swagger!';
const swaggerLog = (globalThis as { log?: (...args: unknown[]) => void }).log;
if (swaggerLog) {
  (globalThis as { log?: unknown }).log = (...args: unknown[]): void => {
    if (typeof args[0] === 'string' && args[0].startsWith(DEPRECATED_SWAGGER)) return;
    swaggerLog.apply(globalThis, args); // it reads `this.console`
  };
}

/** ari-client's connect(): loads the api-docs, then the client is ready for start(app). */
export function connectAri<Client>(url: string, username: string, password: string): Promise<Client> {
  return ari.connect(url, username, password) as Promise<Client>;
}
