/**
 * Transfers: blind and attended (res_pjsip_refer.c, main/bridge.c), with the REFER progress the phone sees.
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine } from '../engine';
import { FakeUsageError } from '../errors';
import type { Bridge, Channel, ReferRecord } from '../state';
import { astTimestamp, later } from '../util';

/** res_pjsip_refer.c refer_progress_*: NOTIFY sipfrag to the transferring phone. */
export function referProgress(e: Engine, ch: Channel, status: number): void {
  const w = ch.referWatch;
  if (!w || w.record.completed) return;
  if (w.record.notifications[w.record.notifications.length - 1] !== status) w.record.notifications.push(status);
  if (status >= 200) {
    w.record.completed = true;
    ch.referWatch = null;
  }
  e.notify();
}

/**
 * Blind transfer (REFER) by `transferer` to `exten` in its endpoint's context
 * (res_pjsip_refer.c refer_incoming_blind_request -> main/bridge.c ast_bridge_transfer_blind):
 * two-party bridge: BLINDTRANSFER=<transferer name> is set on the transferee, which leaves the
 * bridge to run the dialplan (bridge_channel_internal_queue_blind_transfer); the transferer is
 * removed from the bridge at once (ast_bridge_remove) and, being the Dial() caller or the
 * imparted callee, is hung up. What waits for the transferee is the phone's REFER
 * subscription: NOTIFY 200 when the transferee enters a bridge, gets media, or is answered.
 */
export function blindTransfer(e: Engine, transferer: Channel, exten: string): ReferRecord {
  const phone = transferer.phone;
  if (!phone) throw new FakeUsageError(`${transferer.name} is not a phone's channel`);
  const context = transferer.getVar('TRANSFER_CONTEXT') || phone.context;
  if (!e.dialplan.exists(context, exten, 1)) {
    throw new FakeUsageError(`blind transfer refused (REFER 404): ${exten}@${context} does not exist`, 404);
  }
  const bridge = transferer.bridge;
  if (!bridge || bridge.channels.length < 2) {
    throw new FakeUsageError(`blind transfer refused: ${transferer.name} is not bridged`);
  }
  const record: ReferRecord = {
    kind: 'blind',
    transfererChannelId: transferer.id,
    transfererChannelName: transferer.name,
    exten,
    context,
    notifications: [100],
    completed: false,
    at: Date.now(),
  };
  phone.refers.push(record);
  if (bridge.bridgeClass === 'stasis' || bridge.channels.length > 2) {
    blindTransferBridge(e, transferer, bridge, exten, context, record);
    e.notify();
    return record;
  }
  const transferee = bridge.channels.find((c) => c !== transferer)!;
  transfererBridgePeer(e, transferer, transferee);
  e.setVar(transferee, 'BLINDTRANSFER', transferer.name);
  e.setVar(transferee, 'ATTENDEDTRANSFER', undefined);
  transferee.referWatch = { phone, record, transferer };
  // bridge_channel_internal_queue_blind_transfer(): the transferee will continue at exten@context.
  transferee.asyncGoto = { context, exten, priority: 1 };
  // ast_bridge_remove(bridge, transferer): the two-party bridge ends, the transferer hangs up.
  e.leaveBridge(transferer, 'goto');
  e.destroyChannel(transferer, 16);
  if (transferee.bridge) e.leaveBridge(transferee, 'goto');
  e.notify();
  return record;
}

/**
 * Attended transfer (REFER with Replaces) joining the held call (`held` = A1, bridged with B)
 * to the consult call (`consult` = A2). main/bridge.c ast_bridge_transfer_attended():
 *  - A2 not bridged (e.g. in Stasis): B masquerades into A2 (bridge_channel_internal_queue_
 *    attended_transfer -> ast_channel_move). res_stasis.c channel_replaced_cb(): StasisStart for
 *    B with replace_channel = A2 and args [], then StasisEnd for A2. B keeps A2's dialplan
 *    location, Stasis control, playbacks and variables (clone_variables appends B's after A2's).
 *    A1 is removed from its bridge and hung up; A2's old identity is gone.
 *  - A2 in an ARI bridge: the bridges are linked with a Local channel pair
 *    (attended_transfer_bridge): ";1" replaces A1 next to B, ";2" replaces A2 in the ARI
 *    bridge and enters Stasis with replace_channel = A2 (bridge_stasis_push_peek), A2 is hung up.
 */
export function attendedTransfer(e: Engine, held: Channel, consult: Channel): ReferRecord {
  const phone = consult.phone ?? held.phone;
  if (!phone) throw new FakeUsageError('attended transfer needs a phone channel');
  const heldBridge = held.bridge;
  if (!heldBridge || heldBridge.channels.length !== 2 || (heldBridge.bridgeClass !== 'basic' && heldBridge.bridgeClass !== 'stasis')) {
    throw new FakeUsageError(`attended transfer: ${held.name} is not in a two-party call`);
  }
  const transferee = heldBridge.channels.find((c) => c !== held)!;
  const record: ReferRecord = {
    kind: 'attended',
    transfererChannelId: consult.id,
    transfererChannelName: consult.name,
    notifications: [100],
    completed: false,
    at: Date.now(),
  };
  phone.refers.push(record);
  if (heldBridge.bridgeClass === 'stasis') {
    attendedTransferOutOfStasisBridge(e, held, consult, transferee, record);
    e.notify();
    return record;
  }
  e.setVar(transferee, 'ATTENDEDTRANSFER', held.name);
  e.setVar(transferee, 'BLINDTRANSFER', undefined);

  if (consult.bridge && consult.bridge.bridgeClass === 'stasis') {
    attendedTransferLink(e, held, consult, transferee, consult.bridge, record);
    return record;
  }
  if (consult.bridge) {
    throw new FakeUsageError('attended transfer to a consult call in a non-Stasis bridge is not supported by the fake');
  }

  const control = consult.stasis;
  const a2Json = e.channelJson(consult);
  publishAttendedTransfer(e, held, consult, a2Json, transferee, {
    destination_type: control ? 'application' : 'link',
    ...(control ? { destination_application: control.app } : {}),
  });
  // A1 leaves and hangs up; B leaves the basic bridge to take A2's place.
  e.leaveBridge(held, 'goto');
  e.destroyChannel(held, 16);
  if (transferee.bridge) e.leaveBridge(transferee, 'goto');
  if (transferee.dead) return record;
  masquerade(e, transferee, consult, a2Json);
  completeRefer(e, record);
  e.notify();
  return record;
}

/**
 * main/bridge.c blind_transfer_bridge(), for a Stasis bridge (AST_BRIDGE_FLAG_TRANSFER_BRIDGE_ONLY)
 * or a multi-party one. BLINDTRANSFER=<transferer> is set on every peer
 * (set_transfer_variables_all) and on a new Local pair "<exten>@<context>"; ast_call() copies
 * ;1's variables to ;2, which runs the dialplan at the target. ;1 is imparted in the
 * transferer's place: stasis_bridge.c bridge_stasis_push() refuses a channel not in Stasis and
 * runs Stasis(<app>) on it first (StasisStart, args [], replace_channel = the transferer), then
 * swaps it in (control_swap_channel_in_bridge). The transferer stays in Stasis, out of the
 * bridge; res_pjsip_refer's NOTIFY 200 goes out when ;1 is bridged, and the phone hangs up.
 * BridgeBlindTransfer is published last (the "publish:" label).
 */
function blindTransferBridge(e: Engine, transferer: Channel, bridge: Bridge, exten: string, context: string, record: ReferRecord): void {
  const peers = bridge.channels.filter((c) => c !== transferer);
  for (const peer of peers) {
    e.setVar(peer, 'BLINDTRANSFER', transferer.name);
    e.setVar(peer, 'ATTENDEDTRANSFER', undefined);
  }
  const [one, two] = e.createLocalPair(`${exten}@${context}`);
  one.vars.set('BLINDTRANSFER', transferer.name);
  for (const [k, v] of one.vars) two.vars.set(k, v);
  const transfererJson = e.channelJson(transferer);
  const replaceJson = e.channelJson(one);
  e.setState(two, 'Ring');
  later(() => {
    if (!two.dead) e.startPbx(two, context, exten, 1);
  });
  one.referWatch = { phone: transferer.phone!, record, transferer };
  swapInto(e, bridge, one, transferer);
  e.apps.multiChannelEvent([transferer], () => ({
    type: 'BridgeBlindTransfer',
    timestamp: astTimestamp(),
    channel: transfererJson,
    replace_channel: replaceJson,
    ...(peers.length === 1 ? { transferee: e.channelJson(peers[0]) } : {}),
    bridge: bridge.toJSON(),
    exten,
    context,
    result: 'Success',
    is_external: true,
  }), [bridge]);
  hangUpAfterRefer(e, transferer);
}

/**
 * ast_bridge_impart(bridge, ch, swap): in a Stasis bridge a channel not in Stasis goes through
 * Stasis(<app of swap>) first (StasisStart with replace_channel = swap, args []), then takes
 * swap's place (stasis_bridge.c bridge_stasis_push / defer_bridge_add). Elsewhere it just swaps.
 */
function swapInto(e: Engine, bridge: Bridge, ch: Channel, swap: Channel): void {
  const app = swap.stasis?.app;
  if (bridge.bridgeClass === 'stasis' && app) {
    const swapJson = e.channelJson(swap);
    // res_stasis.c send_start_msg(): a StasisStart replacing a channel drops one subscription to it.
    e.apps.unsubscribeChannel(app, swap);
    const exit = e.enterStasis(ch, app, [], swapJson);
    void exit?.then((left) => e.afterStasis(ch, left));
  }
  // bridge_channel_internal_push(): the new channel is pushed first, then the swap leaves.
  e.joinBridge(ch, bridge);
  if (swap.bridge === bridge) e.leaveBridge(swap, 'depart');
}

/** The transferring phone got NOTIFY 200 for its REFER and sends BYE. */
function hangUpAfterRefer(e: Engine, transferer: Channel): void {
  later(() => {
    if (!transferer.dead) e.remoteHangup(transferer, 16);
  });
}

/**
 * Attended transfer whose held call (A1, bridged with B) is in a Stasis bridge: never merged
 * (TRANSFER_BRIDGE_ONLY), so main/bridge.c attended_transfer_bridge() links the two sides with
 * a Local pair "_attended@transfer" (ATTENDEDTRANSFER=<A1> on ;1, copied to ;2 by ast_call()):
 *  - A2 not bridged: ;2 masquerades into A2 (ast_local_setup_masquerade): StasisStart(;2,
 *    replace_channel = A2) and StasisEnd(A2) if A2 was in Stasis;
 *  - A2 in a bridge: ;2 takes A2's place there (ast_local_setup_bridge) and A2 hangs up.
 * Then ;1 is imparted into A1's place (as for a blind transfer), and A1's phone hangs up.
 */
function attendedTransferOutOfStasisBridge(e: Engine, held: Channel, consult: Channel, transferee: Channel, record: ReferRecord): void {
  const heldBridge = held.bridge!;
  e.setVar(transferee, 'ATTENDEDTRANSFER', held.name);
  e.setVar(transferee, 'BLINDTRANSFER', undefined);
  const [one, two] = e.createLocalPair('_attended@transfer');
  one.vars.set('ATTENDEDTRANSFER', held.name);
  for (const [k, v] of one.vars) two.vars.set(k, v);
  const a2Json = e.channelJson(consult);
  const consultBridge = consult.bridge;
  // core_local.c local_call(): ;2 is answered before it takes A2's place; ;1 stays Down.
  e.setState(two, 'Up');
  publishAttendedTransfer(e, held, consult, a2Json, transferee, {
    ...(consultBridge ? { transferer_second_leg_bridge: consultBridge.toJSON() } : {}),
    destination_type: 'link',
    destination_link_first_leg: e.channelJson(one),
    destination_link_second_leg: e.channelJson(two),
  });
  if (consultBridge) {
    swapInto(e, consultBridge, two, consult);
    e.destroyChannel(consult, 16);
  } else {
    masquerade(e, two, consult, a2Json);
  }
  swapInto(e, heldBridge, one, held);
  completeRefer(e, record);
  hangUpAfterRefer(e, held);
}

/** BridgeAttendedTransfer goes to apps subscribed to either leg or bridge (app.c handler). */
function publishAttendedTransfer(e: Engine, held: Channel, consult: Channel, a2Json: Record<string, unknown>, transferee: Channel, destination: Record<string, unknown>): void {
  const heldBridge = held.bridge!;
  const bridges = consult.bridge ? [heldBridge, consult.bridge] : [heldBridge];
  e.apps.multiChannelEvent([held, consult], () => ({
    type: 'BridgeAttendedTransfer',
    timestamp: astTimestamp(),
    transferer_first_leg: e.channelJson(held),
    transferer_second_leg: a2Json,
    transferee: e.channelJson(transferee),
    transferer_first_leg_bridge: heldBridge.toJSON(),
    result: 'Success',
    is_external: true,
    ...destination,
  }), bridges);
}

/**
 * ast_channel_move(A2, ch): `ch` takes over A2's place (Stasis control, dialplan location,
 * media, variables: clone_variables appends A2's after ch's). res_stasis.c
 * channel_replaced_cb(): StasisStart for ch with replace_channel = A2 and args [], then
 * StasisEnd for A2, whose old identity is gone.
 */
function masquerade(e: Engine, ch: Channel, consult: Channel, a2Json: Record<string, unknown>): void {
  if (ch.bridge) e.leaveBridge(ch, 'goto');
  if (ch.dead) return;
  const control = consult.stasis;
  const mergedVars = new Map(ch.vars);
  for (const [k, v] of consult.vars) mergedVars.set(k, v);
  ch.vars.clear();
  for (const [k, v] of mergedVars) ch.vars.set(k, v);
  ch.context = consult.context;
  ch.exten = consult.exten;
  ch.priority = consult.priority;
  ch.appName = consult.appName;
  ch.appData = consult.appData;
  ch.moh = consult.moh;
  ch.silence = consult.silence;
  ch.wake = null;
  if (control) {
    consult.stasis = null;
    ch.stasis = control;
    e.controls.set(ch, e.controlOf(consult));
    e.controls.delete(consult);
    for (const pb of consult.playbacks.splice(0)) {
      ch.playbacks.push(pb);
      (pb as { target: Channel | Bridge }).target = ch;
    }
    e.apps.unsubscribeChannel(control.app, consult);
    e.apps.subscribeChannel(control.app, ch);
    const app = e.apps.get(control.app);
    if (app) {
      e.apps.send(app, { type: 'StasisStart', timestamp: astTimestamp(), args: [], channel: e.channelJson(ch), replace_channel: a2Json });
      e.apps.send(app, { type: 'StasisEnd', timestamp: astTimestamp(), channel: a2Json });
    }
  }
  // ch's own PBX (if it was the Dial() caller) ends; A2's PBX continues with ch.
  ch.pbxGen++;
  ch.pbxRunning = consult.pbxRunning;
  consult.movedTo = ch;
  for (const appName of [...consult.subs.keys()]) e.apps.unsubscribeChannel(appName, consult, true);
  e.destroyChannel(consult, 16);
}

/** The REFER with Replaces succeeded: NOTIFY 200, the transferring phone hangs up. */
function completeRefer(e: Engine, record: ReferRecord): void {
  record.notifications.push(200);
  record.completed = true;
}

function attendedTransferLink(e: Engine, held: Channel, consult: Channel, transferee: Channel, stasisBridge: Bridge, record: ReferRecord): void {
  const heldBridge = held.bridge!;
  const control = consult.stasis;
  const [one, two] = e.createLocalPair('_attended@transfer');
  two.vars.set('ATTENDEDTRANSFER', held.name);
  one.vars.set('ATTENDEDTRANSFER', held.name);
  e.setState(one, 'Up');
  e.setState(two, 'Up');
  const a2Json = e.channelJson(consult);
  e.apps.multiChannelEvent([held, consult], () => ({
    type: 'BridgeAttendedTransfer',
    timestamp: astTimestamp(),
    transferer_first_leg: e.channelJson(held),
    transferer_second_leg: a2Json,
    transferer_first_leg_bridge: heldBridge.toJSON(),
    transferer_second_leg_bridge: stasisBridge.toJSON(),
    result: 'Success',
    is_external: true,
    destination_type: 'link',
    destination_link_first_leg: e.channelJson(one),
    destination_link_second_leg: e.channelJson(two),
  }));
  // ;1 takes A1's place next to B.
  e.leaveBridge(held, 'goto');
  e.destroyChannel(held, 16);
  if (!transferee.dead) {
    const basic = e.createInternalBridge('basic', 'mixing', '', '');
    e.joinBridge(transferee, basic);
    e.joinBridge(one, basic);
  }
  // ;2 enters Stasis with replace_channel = A2, then takes A2's place in the ARI bridge.
  if (control) {
    void e.enterStasis(two, control.app, [], a2Json)?.then((exit) => e.afterStasis(two, exit));
    e.leaveBridge(consult, 'depart');
    e.joinBridge(two, stasisBridge);
  }
  ariHangupSilent(e, consult);
  completeRefer(e, record);
}

/** ast_softhangup(AST_SOFTHANGUP_DEV) of the transfer target: ChannelHangupRequest cause 1 (the flag). */
function ariHangupSilent(e: Engine, ch: Channel): void {
  if (ch.dead) return;
  e.apps.channelEvent(ch, () => ({ cause: 1, soft: true, type: 'ChannelHangupRequest', timestamp: astTimestamp(), channel: e.channelJson(ch) }));
  e.destroyChannel(ch, 16);
}

/** Sets BLINDTRANSFER on the transferer to its BRIDGEPEER (set_transfer_variables_all). */
function transfererBridgePeer(e: Engine, transferer: Channel, transferee: Channel): void {
  e.setVar(transferer, 'BLINDTRANSFER', transferer.getVar('BRIDGEPEER') ?? transferee.name);
  e.setVar(transferer, 'ATTENDEDTRANSFER', undefined);
}
