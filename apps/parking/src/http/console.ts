import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};
// Everything from this origin, nothing from elsewhere: the page works offline, and a key typed into it goes nowhere else.
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The receptionist console (apps/console), built by `npm run build` into `dir`, served at
 * /console. Flat file names only, so no request can reach outside `dir`. No API key is needed
 * for the page itself: it asks for one.
 */
export const consoleRoutes =
  (dir: string): FastifyPluginAsync =>
  async (app) => {
    const serve = async (file: string, reply: import('fastify').FastifyReply) => {
      const type = TYPES[path.extname(file)];
      if (!type || !/^[A-Za-z0-9_.-]+$/.test(file) || file.startsWith('.')) return reply.status(404).send({ error: { id: 'not-found', message: `no ${file}`, details: {} } });
      try {
        const body = await readFile(path.join(dir, file));
        return reply.header('content-type', type).header('cache-control', 'no-cache').header('content-security-policy', CSP).send(body);
      } catch {
        const message = file === 'index.html' ? 'the console is not built: run npm run build' : `no ${file}`;
        return reply.status(404).send({ error: { id: 'not-found', message, details: {} } });
      }
    };
    const hidden = { schema: { hide: true } }; // a page, not part of the API document
    app.get('/console', hidden, (_request, reply) => reply.redirect('/console/'));
    app.get('/console/', hidden, (_request, reply) => serve('index.html', reply));
    app.get<{ Params: { file: string } }>('/console/:file', hidden, (request, reply) => serve(request.params.file, reply));
  };
