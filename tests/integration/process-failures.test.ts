import path from 'node:path';
import { renderTenantDialplan } from '../../apps/parking/src/domain/dialplan';
import { PrismaConfigSource } from '../../apps/parking/src/store/config-store';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { FakeAsterisk } from '../support/fake-asterisk';
import { eventually } from '../support/harness';
import { seedTenant } from '../support/seed';
import { ServiceProcess } from '../support/service-process';
import { TcpProxy } from '../support/tcp-proxy';

/**
 * The service as a real process that dies by SIGKILL (O5), and two instances in
 * active/standby (O6). Real clocks here: the recall timer is one second.
 */
describe('process failures', () => {
  let db: TestDatabase;
  let fake: FakeAsterisk;
  const processes: ServiceProcess[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    await seedTenant(db.prisma, {
      slots: [{ number: '7001' }, { number: '7002', recallTimerSec: 1 }, { number: '7003', retrieveAllow: ['202'], pin: '1234' }],
    });
    fake = await FakeAsterisk.start({ dialplanFiles: [path.resolve(__dirname, '../../asterisk-conf/extensions.conf.sample')] });
    for (const ext of await db.prisma.extension.findMany()) fake.addPhone({ number: ext.number, context: 'from-acme' });
    fake.loadDialplan(renderTenantDialplan(await new PrismaConfigSource(db.prisma).allTenants(), 'parking'));
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) await p.kill();
    await fake.stop();
    await db.drop();
  });

  const start = async (databaseUrl = db.url) => {
    const service = await ServiceProcess.start({ DATABASE_URL: databaseUrl, ARI_URL: fake.url });
    processes.push(service);
    return service;
  };

  async function parkOn(slot: string, caller: string, parker: string): Promise<string> {
    const call = fake.call(caller, parker);
    fake.blindTransfer(call.calleeChannelId, slot);
    await fake.waitFor(() => fake.deviceState(`Stasis:park-acme-${slot}`) === 'INUSE', 5000);
    return call.callerChannelId;
  }

  const parkedRows = () => db.prisma.parkedCall.findMany({ where: { state: { not: 'ENDED' } }, orderBy: { place: 'asc' } });

  it('[O5][B1] SIGKILL with calls parked, one ringing back and one mid-retrieval: the restarted service loses none', async () => {
    fake.setPhoneBehavior('103', 'manual');
    const first = await start();
    await first.waitActive();
    const plain = await parkOn('7001', '102', '101');
    const ringing = await parkOn('7002', '201', '103');
    const guarded = await parkOn('7003', '333', '202');
    await fake.waitFor(() => fake.phone('103').invites.length === 1, 5000); // the ring-back is out
    const retriever = fake.dial('201', '7003'); // 7003 asks 201 for a PIN: mid-retrieval
    await fake.waitFor(() => fake.playbacks().some((p) => p.target_uri === `channel:${retriever}`), 5000);
    await eventually(async () => (await parkedRows()).length === 3, 'rows written');

    await first.kill();
    for (const caller of [plain, ringing, guarded]) expect(fake.channel(caller)?.state).toBe('Up');

    const second = await start();
    await second.waitActive();
    // Nothing was dropped; the ring-back that outlived the old process was replaced by a new one.
    for (const caller of [plain, ringing, guarded]) expect(fake.bridgeOf(caller)?.bridge_type).toBe('holding');
    // The retriever left half-way by the dead process is released, the caller stays parked.
    await fake.waitFor(() => fake.channel(retriever) === undefined, 5000);
    await fake.waitFor(() => fake.phone('103').invites.length === 2, 5000);
    expect(fake.channel(fake.phone('103').invites[0].channelId)).toBeUndefined();
    expect(fake.deviceState('Stasis:park-acme-7001')).toBe('INUSE');
    const list = (await (await second.get(`/api/v1/tenants/${(await db.prisma.tenant.findFirstOrThrow()).id}/parked-calls`)).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(3);
    const picker = fake.dial('202', '7001');
    await fake.waitFor(() => fake.bridgedWith(plain).includes(picker), 5000);
  }, 60_000);

  it('[O6] two instances: the standby waits, then takes over within seconds of the active one\'s death', async () => {
    const active = await start();
    await active.waitActive();
    const standby = await start();
    await eventually(async () => (await standby.readiness()).ari === 'not connected (standby)', 'standby reported', 10_000);
    expect((await standby.readiness()).status).toBe(503);
    const caller = await parkOn('7001', '102', '101');

    await active.kill();
    const killedAt = Date.now();
    await standby.waitActive();
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect((await standby.readiness()).status).toBe(200);
    expect(fake.bridgeOf(caller)?.bridge_type).toBe('holding');
    const picker = fake.dial('202', '7001');
    await fake.waitFor(() => fake.bridgedWith(caller).includes(picker), 5000);
  }, 60_000);

  it('[O6] the active instance cut off from the database yields to the standby, and comes back as the standby itself', async () => {
    const target = new URL(db.url);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.start();
    try {
      const proxied = new URL(db.url);
      proxied.port = String(proxy.port);
      const first = await start(proxied.toString());
      await first.waitActive();
      const second = await start();
      await eventually(async () => (await second.readiness()).ari === 'not connected (standby)', 'standby reported', 10_000);
      const caller = await parkOn('7001', '102', '101');

      proxy.cut(); // the first loses its lock session; the second takes the lock and ARI
      await second.waitActive();
      const activations = (p: ServiceProcess) => p.output.join('').split('reconciled with Asterisk').length - 1;
      await eventually(() => first.output.join('').includes('restarting as the standby'), 'the first to step down', 10_000);
      proxy.restore();
      const standby = async () => (await first.readiness().catch(() => null))?.ari === 'not connected (standby)';
      await eventually(standby, 'the first back, as the standby, in the same process', 20_000);
      expect(fake.bridgeOf(caller)?.bridge_type).toBe('holding');

      await second.kill();
      await eventually(() => activations(first) === 2, 'the first active again', 10_000);
      const picker = fake.dial('202', '7001');
      await fake.waitFor(() => fake.bridgedWith(caller).includes(picker), 5000);
    } finally {
      await proxy.stop();
    }
  }, 90_000);
});
