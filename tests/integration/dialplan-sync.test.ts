import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../apps/parking/src/config';
import { startParkingService, type RunningService } from '../../apps/parking/src/main';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { FakeAsterisk } from '../support/fake-asterisk';
import { ManualClock } from '../support/manual-clock';
import { seedTenant } from '../support/seed';

const ROOT = path.resolve(__dirname, '../..');
const KEY = 'dialplan-sync-admin-key-0123456789';

/**
 * B3: with ASTERISK_DIALPLAN_FILE set, the service writes the tenants' dialplan itself and
 * reloads it through ARI (PUT /asterisk/modules/pbx_config.so): a slot added through the API
 * is dialable, with its BLF hint, with no manual step.
 */
describe('[B3] the service keeps the generated dialplan applied', () => {
  let db: TestDatabase;
  let fake: FakeAsterisk;
  let running: RunningService;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTenant(db.prisma);
    dir = await mkdtemp(path.join(os.tmpdir(), 'parking-dialplan-'));
    file = path.join(dir, 'extensions_parking_tenants.conf');
    // extensions.conf as an administrator writes it, including the file the service keeps current.
    await writeFile(
      path.join(dir, 'extensions.conf'),
      [
        `#include ${path.join(ROOT, 'asterisk-conf/extensions_parking.conf')}`,
        '#include extensions_parking_tenants.conf',
        '[from-acme]',
        'include => parking-acme',
        'exten => _[1-3]XX,1,Dial(PJSIP/${EXTEN},30)',
        '',
      ].join('\n'),
    );
    fake = await FakeAsterisk.start({ dialplanFiles: [path.join(dir, 'extensions.conf')] });
    fake.addPhone({ number: '101', context: 'from-acme' });
    const config = loadConfig({
      DATABASE_URL: db.url,
      ARI_URL: fake.url,
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ADMIN_API_KEY: KEY,
      ASTERISK_DIALPLAN_FILE: file,
    });
    running = await startParkingService(config, { clock: new ManualClock(), dialplanDebounceMs: 10_000 });
    await new Promise<void>((resolve) => (running.reconciledOnce ? resolve() : running.connection.once('reconciled', () => resolve())));
  });
  afterAll(async () => {
    await running.stop();
    await fake.stop();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('[B3] a slot added through the API becomes dialable with its hint, after one atomic write and a reload through ARI', async () => {
    await running.dialplan!.idle();
    expect(fake.engine.dialplan.exists('from-acme', '7003')).toBe(true);
    expect(fake.engine.dialplan.exists('from-acme', '7009')).toBe(false);
    const reloadsBefore = fake.requests.filter((r) => r.method === 'PUT' && r.path === '/ari/asterisk/modules/pbx_config.so').length;

    const tenant = (await db.prisma.tenant.findFirstOrThrow()).id;
    for (const number of ['7009', '7010']) {
      const res = await fetch(`${running.url}/api/v1/tenants/${tenant}/slots`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ number }),
      });
      expect(res.status).toBe(201);
    }
    await running.dialplan!.idle();

    expect(await readFile(file, 'utf8')).toContain('exten => 7009,hint,Stasis:park-acme-7009');
    expect(fake.engine.dialplan.hint('from-acme', '7009')).toBe('Stasis:park-acme-7009');
    expect(fake.engine.dialplan.hint('from-acme', '7010')).toBe('Stasis:park-acme-7010');
    // Two changes within the debounce time (idle() flushes it): one write, one reload.
    const reloads = fake.requests.filter((r) => r.method === 'PUT' && r.path === '/ari/asterisk/modules/pbx_config.so').length;
    expect(reloads - reloadsBefore).toBe(1);
    // Dialable: the phone's call reaches the service (fake.dial throws for an unknown extension).
    const channel = fake.dial('101', '7009');
    await fake.waitFor(() => fake.stasisOf(channel)?.args.join(',') === 'code,acme,7009' || fake.channel(channel) === undefined);
  });
});
