/**
 * res_parking: the Park / ParkedCall fallbacks of the dialplan, and app_dial's bridge.
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine } from '../engine';
import type { Bridge, Channel } from '../state';

/** Park(lot): the parkee waits in the lot's holding bridge (bridge_class "parking"). */
export function park(e: Engine, ch: Channel, lot: string): number {
  let b = e.parkingBridges.get(lot);
  if (!b || b.dead) {
    b = e.createInternalBridge('parking', 'holding', 'Parking', lot);
    e.parkingBridges.set(lot, b);
  }
  const used = new Set<number>();
  for (const c of b.channels) if (c.parkedSlot !== null) used.add(c.parkedSlot);
  let slot = 701;
  while (used.has(slot)) slot++;
  ch.parkedSlot = slot;
  e.setVar(ch, 'PARKINGSLOT', String(slot));
  e.setVar(ch, 'PARKEDLOT', lot);
  ch.moh = ch.getVar('MUSICCLASS') || 'default';
  e.joinBridge(ch, b);
  return slot;
}

/** ParkedCall(lot): the parked call with the lowest space (parking_lot_retrieve_parked_user). */
export function retrieveParked(e: Engine, lot: string): Channel | undefined {
  const b = e.parkingBridges.get(lot);
  if (!b) return undefined;
  let best: Channel | undefined;
  for (const c of b.channels) {
    if (c.parkedSlot !== null && (!best || c.parkedSlot < best.parkedSlot!)) best = c;
  }
  return best;
}

/** Bridges the retriever and the parkee in a new basic bridge (parked_call_app_exec). */
export function connectParked(e: Engine, retriever: Channel, parkee: Channel): Bridge {
  parkee.parkedSlot = null;
  parkee.moh = null;
  const b = e.createInternalBridge('basic', 'mixing', '', '');
  e.joinBridge(parkee, b);
  e.joinBridge(retriever, b);
  if (parkee.wake) parkee.wake.resolve('retrieved');
  return b;
}

/** Bridges two channels in a new basic bridge (app_dial ast_bridge_call). */
export function bridgeCall(e: Engine, caller: Channel, peer: Channel): Bridge {
  const b = e.createInternalBridge('basic', 'mixing', '', '');
  e.joinBridge(caller, b);
  e.joinBridge(peer, b);
  return b;
}
