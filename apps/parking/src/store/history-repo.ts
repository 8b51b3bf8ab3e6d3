import type { ParkOutcome, PrismaClient } from '../../../../generated/prisma/client';
import type { Paging } from './paging';

/** A history listing's filters: parked in [from, to), at a place, by a parker, with an outcome. */
export interface HistoryFilter {
  tenantId: string;
  from?: string;
  to?: string;
  place?: string;
  parker?: string;
  outcome?: ParkOutcome;
}

const select = {
  id: true, place: true, placeKind: true, groupId: true, callerName: true, callerNumber: true, parkerExtension: true, method: true,
  state: true, parkedAt: true, endedAt: true, outcome: true, retrievedBy: true, recallAttempts: true,
} as const;

/** The parked-call history the API shows (the call flows write it through park-store.ts). */
export function historyRepo(prisma: PrismaClient) {
  const whereOf = (f: HistoryFilter) => ({
    tenantId: f.tenantId,
    parkedAt: f.from || f.to ? { gte: f.from ? new Date(f.from) : undefined, lt: f.to ? new Date(f.to) : undefined } : undefined,
    place: f.place,
    parkerExtension: f.parker,
    outcome: f.outcome,
  });
  return {
    count: (filter: HistoryFilter) => prisma.parkedCall.count({ where: whereOf(filter) }),
    /** Newest first. */
    list: (filter: HistoryFilter, paging: Paging) =>
      prisma.parkedCall.findMany({ where: whereOf(filter), select, orderBy: [{ parkedAt: 'desc' }, { id: 'asc' }], ...paging }),
    /** One parked call with its timeline, oldest event first. */
    withEvents: (tenantId: string, id: string) =>
      prisma.parkedCall.findFirst({
        where: { id, tenantId },
        select: { ...select, events: { orderBy: [{ at: 'asc' }, { id: 'asc' }], select: { id: true, type: true, at: true, details: true } } },
      }),
  };
}
