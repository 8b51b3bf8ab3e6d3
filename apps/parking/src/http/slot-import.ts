import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { parse } from 'csv-parse/sync';
import { ParkingError } from '../domain/errors';
import { fieldProblems } from './errors';
import type { HttpDeps } from './deps';
import { assertSlotRoom } from './places';
import { placesRepo } from '../store/places-repo';
import { slotsRepo } from '../store/slots-repo';
import { withTenantLock } from '../store/tenant-lock';
import { SlotCreate, slotData } from './slots';
import { TenantParams, errors } from './schemas';

export const MAX_IMPORT_ROWS = 1000;
const COLUMNS = ['number', 'name', 'musicClass', 'recallTimerSec', 'parkAllow', 'retrieveAllow', 'pin'] as const;
type Column = (typeof COLUMNS)[number];

interface Row {
  line: number;
  slot: SlotCreate;
  problems: string[];
}

/** A CSV row as a slot body: empty cells are left out, lists split on `;` or spaces (the validator coerces numbers). */
function toSlotBody(cells: Partial<Record<Column, string>>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(cells) as Array<[Column, string]>) {
    if (raw === '') continue;
    if (column === 'parkAllow' || column === 'retrieveAllow') body[column] = raw.split(/[;\s]+/).filter(Boolean);
    else body[column] = raw;
  }
  return body;
}

function badFile(problem: string, details: Record<string, unknown> = {}): ParkingError {
  return new ParkingError('validation', `the CSV file ${problem}; nothing was imported`, details);
}

type Validate = ((data: unknown) => boolean) & { errors?: Parameters<typeof fieldProblems>[0] | null };

/** Parses and checks every row with the slot schema's own validator, and against the rest of the file. */
function readRows(text: string, validate: Validate): Row[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { info: true, trim: true, skip_empty_lines: true, relax_column_count: true, bom: true }) as never;
  } catch (err) {
    throw badFile(`cannot be read: ${(err as Error).message}`, { line: (err as { lines?: number }).lines ?? null });
  }
  const [head, ...body] = records;
  if (!head) throw badFile('is empty');
  const header = head.record.map((h) => COLUMNS.find((c) => c.toLowerCase() === h.toLowerCase()) ?? h);
  const unknown = header.filter((h) => !(COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0 || !header.includes('number')) {
    throw badFile(`needs a header row of ${COLUMNS.join(',')} (number required)`, { unknownColumns: unknown });
  }
  if (body.length === 0) throw badFile('has no rows');
  if (body.length > MAX_IMPORT_ROWS) throw badFile(`has ${body.length} rows; at most ${MAX_IMPORT_ROWS} per request`);

  const firstLine = new Map<string, number>();
  return body.map(({ record, info }) => {
    const problems: string[] = [];
    if (record.length !== header.length) problems.push(`has ${record.length} fields, the header ${header.length}`);
    const slot = toSlotBody(Object.fromEntries(header.map((h, i) => [h, record[i] ?? ''])));
    if (!validate(slot)) problems.push(...fieldProblems(validate.errors ?? []).map((p) => `${p.field || 'row'} ${p.problem}`));
    const number = String(slot.number ?? '');
    const seen = firstLine.get(number);
    if (seen !== undefined) problems.push(`number ${number} is already on line ${seen}`);
    else if (number) firstLine.set(number, info.lines);
    return { line: info.lines, slot: slot as SlotCreate, problems };
  });
}

/** POST /tenants/{tenantId}/slots/import: bulk CSV import of call park extensions, all or nothing (A2). */
export const slotImportRoutes =
  ({ prisma, configs }: HttpDeps): FastifyPluginAsync =>
  async (app) => {
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 2 * 1024 * 1024 }, (_request, body, done) => done(null, body));
    app.post<{ Params: Static<typeof TenantParams>; Body: string }>(
      '/slots/import',
      {
        schema: {
          tags: ['slots'],
          summary: `Import up to ${MAX_IMPORT_ROWS} call park extensions from CSV, all or nothing`,
          description:
            `Header row: ${COLUMNS.join(',')} (any order; number required). Lists (parkAllow, retrieveAllow) are separated by ; or spaces. ` +
            'Any bad row fails the whole import; the 400 answer lists every bad row with its line number and problems.',
          consumes: ['text/csv'],
          params: TenantParams,
          body: Type.String({ description: 'CSV text' }),
          response: { 201: Type.Object({ imported: Type.Integer(), numbers: Type.Array(Type.String()) }), ...errors(404, 422) },
        },
      },
      async (request, reply) => {
        const { tenantId } = request.params;
        const rows = readRows(request.body, request.compileValidationSchema(SlotCreate) as Validate);
        const numbers = rows.map((r) => r.slot.number).filter((n): n is string => typeof n === 'string');
        const places = placesRepo(prisma);
        const [slots, extensions] = await Promise.all([places.numbered(tenantId, 'slot', numbers), places.numbered(tenantId, 'extension', numbers)]);
        const taken = new Map([
          ...slots.map((s) => [s.number, 'is already a call park extension'] as const),
          ...extensions.map((e) => [e.number, 'is an extension of this tenant'] as const),
        ]);
        for (const row of rows) {
          const clash = taken.get(row.slot.number);
          if (clash) row.problems.push(`number ${row.slot.number} ${clash}`);
        }
        const bad = rows.filter((r) => r.problems.length > 0).map(({ line, slot, problems }) => ({ line, number: slot.number ?? null, problems }));
        if (bad.length > 0) throw badFile(`has ${bad.length} bad row(s)`, { rows: bad });

        await assertSlotRoom(prisma, tenantId, rows.length);
        const data = await Promise.all(rows.map(async (r) => ({ ...(await slotData(r.slot)), tenantId })));
        await withTenantLock(prisma, tenantId, async (tx) => {
          // Checked again under the tenant's lock: PINs take a while to hash, and other writes may have come meanwhile.
          await assertSlotRoom(tx, tenantId, data.length);
          const numbers = data.map((d) => d.number);
          const [clash] = await placesRepo(tx).numbered(tenantId, 'extension', numbers);
          if (clash) throw new ParkingError('conflict', `${clash.number} is an extension of this tenant; nothing was imported`, { field: 'number', number: clash.number });
          await slotsRepo(tx).createMany(data);
        });
        configs.invalidate(tenantId);
        return reply.status(201).send({ imported: data.length, numbers: data.map((d) => d.number) });
      },
    );
  };
