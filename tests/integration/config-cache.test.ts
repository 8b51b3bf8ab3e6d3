import { PrismaConfigSource } from '../../apps/parking/src/store/config-store';
import { createOwnServerDatabase, type OwnServerDatabase } from '../support/db';
import { seedTenant } from '../support/seed';

/** The tenant configuration cache the call flows read (a live call never waits for a reload). */
describe('tenant configuration cache', () => {
  let db: OwnServerDatabase;
  let now = 0;
  let configs: PrismaConfigSource;
  let tenantId: string;
  beforeAll(async () => {
    db = await createOwnServerDatabase();
    tenantId = (await seedTenant(db.prisma)).id;
    configs = new PrismaConfigSource(db.prisma, 10_000, () => now);
  }, 30_000);
  afterAll(() => db?.drop());

  const slots = async () => [...(await configs.tenantBySlug('acme'))!.slots.keys()].sort();
  /** Reads until the configuration has `number` (a reload behind the call has landed). */
  const untilSlot = async (number: string) => {
    for (let i = 0; i < 100 && !(await slots()).includes(number); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    return slots();
  };
  const addSlot = (number: string) => db.prisma.parkSlot.create({ data: { tenantId, number, parkAllow: [], retrieveAllow: [] } });

  it('once expired, answers at once with the last configuration and uses the reloaded one afterwards', async () => {
    expect(await slots()).toEqual(['7001', '7002', '7003']);
    await addSlot('7004');
    now += 5_000;
    expect(await slots()).toEqual(['7001', '7002', '7003']); // within the TTL
    now += 6_000;
    expect(await slots()).toEqual(['7001', '7002', '7003']); // expired: the reload runs behind
    expect(await untilSlot('7004')).toEqual(['7001', '7002', '7003', '7004']);
  });

  it('after invalidate() (an admin write here), the next read waits for the fresh configuration', async () => {
    await addSlot('7005');
    configs.invalidate(tenantId);
    expect(await slots()).toContain('7005');
  });

  it('with the database down, calls go on with the last configuration; it reloads when the database is back', async () => {
    await db.stopServer();
    now += 11_000;
    expect(await slots()).toContain('7005'); // served at once, the reload failing behind
    expect(await slots()).toContain('7005');
    await db.startServer();
    await addSlot('7006');
    now += 11_000;
    expect(await untilSlot('7006')).toContain('7006');
  }, 30_000);
});
