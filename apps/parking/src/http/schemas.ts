import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { patterns } from '../domain/grammar';

/** Building blocks shared by the resources' schemas (one schema per resource, in its own file). */

/** A timestamp: Date objects from Prisma are serialised as ISO strings. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const Uuid = Type.String({ format: 'uuid' });
export const Digits = Type.String({ pattern: patterns.digits, description: 'digits, e.g. 7001' });
export const DigitList = (description: string) => Type.Array(Digits, { uniqueItems: true, maxItems: 500, description });
/** Feature codes: `*` or `#` and digits (`*70`, `#58`). */
export const FeatureCode = Type.String({ pattern: patterns.featureCode, description: '* or # and digits, e.g. *70' });
export const MusicClass = Type.String({ pattern: patterns.musicClass, description: 'music-on-hold class' });
/** Free text: no control characters (they could end a line of generated dialplan). */
export const Text = (options: { minLength?: number; maxLength: number; description?: string }) => Type.String({ pattern: patterns.text, ...options });
export const Name = Text({ maxLength: 100 });
/** Dialplan destination "context,exten,priority"; the context must be one allowed to the tenant. */
export const Destination = Type.String({ pattern: patterns.destination, description: 'context,exten,priority (a context the system admin allowed this tenant)' });
export const Endpoint = Type.String({ pattern: patterns.endpoint, description: 'Asterisk endpoint, e.g. PJSIP/101 (one the system admin allowed this tenant)' });
export const Seconds = (max: number) => Type.Integer({ minimum: 1, maximum: max });

export const StringEnum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], description });
/**
 * `type: [..., "null"]` rather than anyOf: Ajv then never coerces a wrong value to null (0 or ""
 * would silently become null), and the error names the real problem. For schemas with a type.
 */
export const Nullable = <T extends TSchema>(schema: T) => {
  const plain: Record<string, unknown> = Object.fromEntries(Object.entries(schema));
  if (Array.isArray(plain.enum)) plain.enum = [...plain.enum, null];
  return Type.Unsafe<Static<T> | null>({ ...plain, type: [plain.type, 'null'] });
};

export const RecallOption = StringEnum(['PARKER_ONLY', 'PARKER_THEN_HUNT_GROUP', 'HUNT_GROUP_ONLY'] as const);
export const PlaceKind = StringEnum(['SLOT', 'EXTENSION', 'CODE'] as const);
export const ParkMethod = StringEnum(
  ['BLIND_TRANSFER', 'ATTENDED_TRANSFER', 'HOLD_AND_DIAL', 'API', 'RECOVERED'] as const,
  'how the call was parked (RECOVERED: found in a holding bridge with no record, after a crash)',
);
export const Timestamps = Type.Object({ createdAt: DateTime, updatedAt: DateTime });

/** A create body: the `required` fields, the others optional; unknown fields are refused. */
export const CreateBody = <T extends TObject, K extends keyof T['properties'] & string>(fields: T, required: K[]) =>
  Type.Composite([Type.Pick(fields, required), Type.Partial(Type.Omit(fields, required))], { additionalProperties: false });
/** A PATCH body: any of the fields; unknown fields are refused. */
export const PatchBody = <T extends TObject>(fields: T) => Type.Partial(fields, { additionalProperties: false });

export const TenantParams = Type.Object({ tenantId: Uuid });
export const ItemParams = Type.Object({ tenantId: Uuid, id: Uuid });

export const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  // Bounded: PostgreSQL's OFFSET is a bigint, and JavaScript numbers are exact only up to 2^53.
  offset: Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0 }),
});
export type PageQuery = Static<typeof PageQuery>;

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });

/** The list query of a resource: paging plus its filters. */
export const ListQuery = <T extends TObject>(filters: T) => Type.Composite([PageQuery, filters]);

/** One page: `find` gets Prisma's paging arguments ({ skip, take }) for the query's limit and offset. */
export async function pageOf<T>(q: PageQuery, count: PromiseLike<number>, find: (paging: { skip: number; take: number }) => PromiseLike<T[]>) {
  const [total, items] = await Promise.all([count, find({ skip: q.offset, take: q.limit })]);
  return { items, total, limit: q.limit, offset: q.offset };
}

/** Response entries in the one error body for the given statuses. */
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Type.Ref('Error')]));

export const NoContent = Type.Null({ description: 'No content' });
