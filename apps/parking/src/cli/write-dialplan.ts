import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { renderTenantDialplan } from '../domain/dialplan';
import { PrismaConfigSource } from '../store/config-store';
import { applyMigrations, createPrismaClient, startEmbeddedPostgres } from '../store/database';

/**
 * `npm run asterisk:dialplan -- [file]`: writes the tenants' dialplan (default
 * asterisk-conf/extensions_parking_tenants.conf). Then `asterisk -rx "dialplan reload"`.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const root = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../../..' : '../../../..');
  const out = path.resolve(process.argv[2] ?? path.join(root, 'asterisk-conf', 'extensions_parking_tenants.conf'));
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: path.resolve(config.dataDir, 'postgres') });
  const url = config.databaseUrl ?? embedded!.url;
  await applyMigrations(url, { migrationsDir: path.join(root, 'prisma', 'migrations') });
  const prisma = createPrismaClient(url);
  try {
    const tenants = await new PrismaConfigSource(prisma).allTenants();
    writeFileSync(out, renderTenantDialplan(tenants, config.ari.app));
    process.stdout.write(`wrote ${out} (${tenants.length} tenants)\n`);
  } finally {
    await prisma.$disconnect();
    await embedded?.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
