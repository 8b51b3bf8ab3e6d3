// Configuration of the Prisma CLI (generate, migrate, db). Loaded by the CLI before anything else.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Prisma 7 downloads a native schema engine from its own host, which our networks cannot reach.
// Point the CLI at our WebAssembly stand-in instead (prisma/engine/schema-engine.js, see
// prisma/README.md); setting it here comes before the CLI's binary check. `??=` lets a developer
// who has the native binary use it.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(__dirname, 'prisma', 'engine', 'schema-engine.js');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Not env('DATABASE_URL'): that throws when the variable is unset, and `prisma generate` (run
  // on install) needs no database. Shadow databases (migrate dev, diff --from-migrations) are
  // created and dropped next to this url by the engine: no shadowDatabaseUrl.
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
