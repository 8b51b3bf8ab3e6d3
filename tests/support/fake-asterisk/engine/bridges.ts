/**
 * Bridges: Stasis and internal bridges, joining, leaving, dissolving.
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine } from '../engine';
import { Bridge } from '../state';
import type { BridgeClass, Channel } from '../state';
import { astTimestamp, later, uuid } from '../util';

/** stasis_app_bridge_create() (res_stasis.c bridge_create_common). Returns null for bad types. */
export function createStasisBridge(e: Engine, type: string | undefined, name: string | undefined, id: string | undefined): Bridge | null {
  const requested = (type && type !== '' ? type : 'mixing').split(',').map((t) => t.trim());
  let mixing = false;
  let holding = false;
  let video = 'talker';
  for (const t of requested) {
    if (t === 'mixing') mixing = true;
    else if (t === 'holding') holding = true;
    else if (t === 'video_sfu') {
      video = 'sfu';
      mixing = true;
    } else if (t === 'video_single') video = 'single';
  }
  if ((!mixing && !holding) || (mixing && holding)) return null;
  const b = new Bridge(id || uuid(), holding ? 'holding' : 'mixing', 'stasis', 'Stasis', name ?? '', video, requested);
  e.bridges.set(b.id, b);
  e.apps.bridgeEvent(b, () => ({ type: 'BridgeCreated', timestamp: astTimestamp(), bridge: b.toJSON() }));
  e.notify();
  return b;
}

export function createInternalBridge(e: Engine, cls: BridgeClass, type: 'mixing' | 'holding', creator: string, name: string): Bridge {
  const b = new Bridge(uuid(), type, cls, creator, name, 'none');
  e.bridges.set(b.id, b);
  e.apps.bridgeEvent(b, () => ({ type: 'BridgeCreated', timestamp: astTimestamp(), bridge: b.toJSON() }));
  return b;
}

/** Adds a channel to a bridge (departing its current one first), publishing ChannelEnteredBridge. */
export function joinBridge(e: Engine, ch: Channel, b: Bridge): void {
  if (ch.dead || b.dead) return;
  if (ch.bridge === b) return;
  if (ch.bridge) e.leaveBridge(ch, 'depart');
  // control_swap_channel_in_bridge(): the app subscribes to the bridge before joining.
  if (ch.stasis) e.apps.subscribeBridge(ch.stasis.app, b);
  b.channels.push(ch);
  ch.bridge = b;
  if (b.bridgeClass === 'basic') updateBridgePeers(e, b);
  e.apps.bridgeEvent(b, () => ({
    type: 'ChannelEnteredBridge',
    timestamp: astTimestamp(),
    bridge: b.toJSON(),
    channel: e.channelJson(ch),
  }));
  if (ch.referWatch) e.referProgress(ch, 200);
  if (ch.phone) e.updateEndpointDevice(ch.phone);
  e.notify();
}

/**
 * A channel leaves its bridge. `why`: 'hangup' (the channel is going away), 'depart' (ARI
 * removeChannel/continue/move to another bridge), 'goto' (async goto: transfer, redirect),
 * 'kicked' (the bridge dissolved).
 */
export function leaveBridge(e: Engine, ch: Channel, why: 'hangup' | 'depart' | 'goto' | 'kicked'): void {
  const b = ch.bridge;
  if (!b) return;
  const idx = b.channels.indexOf(ch);
  if (idx >= 0) b.channels.splice(idx, 1);
  ch.bridge = null;
  e.apps.bridgeEvent(b, () => ({
    type: 'ChannelLeftBridge',
    timestamp: astTimestamp(),
    bridge: b.toJSON(),
    channel: e.channelJson(ch),
  }));
  // internal_bridge_after_cb(): the app's bridge subscription ends when its channel leaves;
  // when the bridge is being destroyed, it lasts until BridgeDestroyed went out.
  if (why !== 'kicked' && ch.stasis && b.subs.has(ch.stasis.app)) e.apps.unsubscribeBridge(ch.stasis.app, b);
  // res_stasis.c bridge_moh_create(): the bridge's music channel joins with
  // AST_BRIDGE_CHANNEL_FLAG_LONELY, so it leaves (and the music stops) with the last caller.
  if (b.channels.length === 0) b.moh = null;
  if (b.bridgeClass === 'basic') {
    // A two-party basic bridge (Dial, ParkedCall) ends when a party leaves: the other is kicked.
    if (b.channels.length < 2 && !b.dead) e.dissolveBridge(b);
    else updateBridgePeers(e, b);
  } else if (b.bridgeClass === 'parking' && b.channels.length === 0 && !b.dead) {
    destroyBridgeInternal(e, b);
  }
  if (why !== 'hangup' && ch.wake) ch.wake.resolve(why === 'goto' ? 'goto' : 'bridge-ended');
  if (why !== 'hangup' && !ch.dead && !ch.stasis && !ch.pbxRunning) {
    // An imparted channel (Dial callee, Local half) leaving a bridge runs its after-bridge
    // goto if it has one, else it is hung up (bridge_channel_ind_thread).
    later(() => {
      if (ch.dead || ch.bridge || ch.stasis || ch.pbxRunning) return;
      const g = ch.asyncGoto;
      if (g) {
        ch.asyncGoto = null;
        e.startPbx(ch, g.context, g.exten, g.priority);
      } else {
        e.destroyChannel(ch, 16);
      }
    });
  }
  e.notify();
}

function updateBridgePeers(e: Engine, b: Bridge): void {
  if (b.channels.length === 2) {
    const [a, c] = b.channels;
    a.vars.set('BRIDGEPEER', c.name);
    c.vars.set('BRIDGEPEER', a.name);
  }
}

/** Kicks every channel out and destroys the bridge (bridge dissolve). */
export function dissolveBridge(e: Engine, b: Bridge): void {
  b.dead = true;
  for (const ch of [...b.channels]) e.leaveBridge(ch, 'kicked');
  destroyBridgeInternal(e, b);
}

function destroyBridgeInternal(e: Engine, b: Bridge): void {
  b.dead = true;
  e.finishBridgePlaybacks(b);
  e.bridges.delete(b.id);
  for (const [lot, pb] of e.parkingBridges) if (pb === b) e.parkingBridges.delete(lot);
  e.apps.bridgeEvent(b, () => ({ type: 'BridgeDestroyed', timestamp: astTimestamp(), bridge: b.toJSON() }));
  for (const appName of [...b.subs.keys()]) e.apps.unsubscribeBridge(appName, b, true);
  e.notify();
}

/** DELETE /bridges/{id} (stasis_app_bridge_destroy): channels are kicked but stay in Stasis. */
export function destroyStasisBridge(e: Engine, b: Bridge): void {
  b.dead = true;
  for (const ch of [...b.channels]) e.leaveBridge(ch, 'kicked');
  destroyBridgeInternal(e, b);
}
