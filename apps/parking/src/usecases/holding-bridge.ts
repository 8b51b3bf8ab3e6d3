import { sanitize } from '../domain/lamp-names';
import { isParkingError } from '../domain/errors';
import type { ServiceContext } from './context';

/** One holding bridge per tenant and music class. */
export const holdingBridgeId = (tenantSlug: string, musicClass: string) => `parking-${tenantSlug}-${sanitize(musicClass)}`;

/** Creates the tenant's holding bridge for a music class once (music is started per park). */
export function ensureHoldingBridge(ctx: ServiceContext, bridgeId: string): Promise<void> {
  let ready = ctx.holdingBridges.get(bridgeId);
  if (!ready) {
    // Already there (made by an earlier run, or while a reconciliation was looking): ours to use.
    ready = ctx.ari.createBridge(bridgeId, 'holding', bridgeId).catch((err) => {
      if (!isParkingError(err, 'conflict')) throw err;
    });
    ctx.holdingBridges.set(bridgeId, ready);
    ready.catch(() => ctx.holdingBridges.delete(bridgeId));
  }
  return ready;
}
