import { verifyPin } from '../../../apps/parking/src/store/pin-hash';
import { startApi, type ApiHarness } from './api-harness';

const HEADER = 'number,name,musicClass,recallTimerSec,parkAllow,retrieveAllow,pin';

describe('[A2] bulk CSV import of call park extensions', () => {
  let h: ApiHarness;
  let t: { id: string; key: string };
  const upload = (csv: string, tenantId = t.id, key = t.key) =>
    h.call('POST', `/api/v1/tenants/${tenantId}/slots/import`, { key, body: csv, headers: { 'content-type': 'text/csv' } });
  const slotCount = () => h.db.prisma.parkSlot.count({ where: { tenantId: t.id } });

  beforeEach(async () => {
    h = await startApi();
    t = await h.tenant('acme', { slotLimit: 10 });
    await h.call('POST', `/api/v1/tenants/${t.id}/extensions`, { body: { number: '101', endpoint: 'PJSIP/101' } });
    await h.call('POST', `/api/v1/tenants/${t.id}/slots`, { body: { number: '7000' } });
  });
  afterEach(() => h.close());

  it('[A2] imports every row, with lists split on ; or spaces, PINs hashed, numbers coerced', async () => {
    const csv = [HEADER, '7001,Front desk,jazz,60,101;102,101 102 103,1234', '7002,,,,,,', '"7003","Back, office",,,,,0042', ''].join('\r\n');
    const res = await upload(csv);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ imported: 3, numbers: ['7001', '7002', '7003'] });
    const rows = await h.db.prisma.parkSlot.findMany({ where: { tenantId: t.id, number: { in: ['7001', '7002', '7003'] } }, orderBy: { number: 'asc' } });
    expect(rows[0]).toMatchObject({ name: 'Front desk', musicClass: 'jazz', recallTimerSec: 60, parkAllow: ['101', '102'], retrieveAllow: ['101', '102', '103'] });
    expect(await verifyPin(rows[0].pinHash!, '1234')).toBe(true);
    expect(rows[1]).toMatchObject({ name: '', musicClass: null, recallTimerSec: null, parkAllow: [], pinHash: null });
    expect(rows[2].name).toBe('Back, office');
    expect(await verifyPin(rows[2].pinHash!, '0042')).toBe(true);
    // The running service sees them at once.
    expect((await h.configs.tenantById(t.id))!.slotOrder).toEqual(['7000', '7001', '7002', '7003']);
    // Columns may come in any order, and only number is required.
    expect((await upload('name,NUMBER\nLoading dock,7004\n')).json()).toEqual({ imported: 1, numbers: ['7004'] });
  });

  it('[A2] rejects the whole import and lists every bad row with its line number', async () => {
    const csv = [
      HEADER,
      '7001,Good,,,,,', // line 2: fine
      '70x2,Bad number,,,,,', // line 3
      '7003,,,zero,,,', // line 4
      '7001,Duplicate in file,,,,,', // line 5
      '7000,Already there,,,,,', // line 6
      '101,An extension,,,,,', // line 7
      '7008,,bad class,,,,12ab', // line 8
      '7009,too,many,fields,,,,,', // line 9
    ].join('\n');
    const res = await upload(csv);
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.id).toBe('validation');
    expect(error.message).toContain('7 bad row(s)');
    const byLine = Object.fromEntries(error.details.rows.map((r: { line: number; problems: string[] }) => [r.line, r.problems.join(' | ')]));
    expect(Object.keys(byLine).map(Number)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(byLine[3]).toContain('number must match pattern');
    expect(byLine[4]).toContain('recallTimerSec');
    expect(byLine[5]).toContain('already on line 2');
    expect(byLine[6]).toContain('7000 is already a call park extension');
    expect(byLine[7]).toContain('101 is an extension of this tenant');
    expect(byLine[8]).toMatch(/musicClass.*\| pin/);
    expect(byLine[9]).toContain('has 9 fields, the header 7');
    expect(error.details.rows[0]).toMatchObject({ line: 3, number: '70x2' });
    expect(await slotCount()).toBe(1);
  });

  it('[A2] refuses an import beyond the tenant slot limit, all or nothing (422)', async () => {
    const csv = [HEADER, ...Array.from({ length: 10 }, (_, i) => `${8000 + i},,,,,,`)].join('\n');
    const res = await upload(csv);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ id: 'limit-reached', details: { limit: 10, count: 1, adding: 10 } });
    expect(await slotCount()).toBe(1);
  });

  it('[A2] refuses more than 1000 rows, a bad header, an empty file and unreadable CSV', async () => {
    await h.call('PATCH', `/api/v1/tenants/${t.id}`, { body: { slotLimit: 5000 } });
    const big = [HEADER, ...Array.from({ length: 1001 }, (_, i) => `${10000 + i},,,,,,`)].join('\n');
    const tooMany = await upload(big);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.message).toContain('at most 1000');

    const header = await upload('number,colour\n7001,red\n');
    expect(header.statusCode).toBe(400);
    expect(header.json().error.details).toEqual({ unknownColumns: ['colour'] });
    expect((await upload('name\nx\n')).statusCode).toBe(400);
    expect((await upload('')).statusCode).toBe(400);
    expect((await upload(`${HEADER}\n`)).json().error.message).toContain('no rows');
    const broken = await upload(`${HEADER}\n7001,"unclosed,,,,,\n`);
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.message).toContain('cannot be read');
    expect(await slotCount()).toBe(1);
  });

  it('[A2][A5] imports into the key’s own tenant only, and needs text/csv', async () => {
    const other = await h.tenant('globex');
    expect((await upload(`${HEADER}\n7001,,,,,,`, other.id, t.key)).statusCode).toBe(404);
    expect((await upload(`${HEADER}\n7001,,,,,,`, t.id, other.key)).statusCode).toBe(404);
    const json = await h.call('POST', `/api/v1/tenants/${t.id}/slots/import`, { body: { rows: [] } });
    expect(json.statusCode).toBe(400);
  });
});
