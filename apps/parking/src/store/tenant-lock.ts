import type { PrismaClient } from '../../../../generated/prisma/client';

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * Runs `fn` in a transaction holding the tenant's advisory lock: the checks of numbers and
 * limits and the writes they guard happen as one, so concurrent requests cannot race past them
 * (issue 14: 200 parallel creates against slotLimit 5, slot 888 against extension 888).
 */
export async function withTenantLock<T>(prisma: PrismaClient, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`parking-places:${tenantId}`}, 0))`;
      return fn(tx);
    },
    // Waiting for the lock is queueing, not failure: allow it time under a burst.
    { maxWait: 30_000, timeout: 60_000 },
  );
}
