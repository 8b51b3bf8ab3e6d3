/**
 * Device states (res_stasis_device_state.c, devicestate.c, chan_pjsip), endpoints and hints.
 * Part of the fake's Engine (../engine.ts), which calls these with itself as `e`.
 */
import type { Engine } from '../engine';
import { DEVICE_STATE_ALL } from '../apps';
import { Phone } from '../state';
import type { PhoneBehavior } from '../state';
import { astTimestamp } from '../util';

export const DEVICE_STATES = ['UNKNOWN', 'NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD'];

/** ast_device_state(): Stasis: devices from astdb, PJSIP/x from its channels, else INVALID/UNKNOWN. */
export function deviceState(e: Engine, name: string): string {
  const slash = name.indexOf('/');
  if (slash < 0) {
    const colon = name.indexOf(':');
    if (colon < 0) return 'INVALID';
    const provider = name.slice(0, colon);
    if (provider.toLowerCase() !== 'stasis') return 'INVALID';
    return e.astdb.get(name.slice(colon + 1)) ?? 'UNKNOWN';
  }
  const tech = name.slice(0, slash).toUpperCase();
  if (tech !== 'PJSIP') return tech === 'LOCAL' ? 'NOT_INUSE' : 'INVALID';
  const phone = e.phones.get(name.slice(slash + 1));
  if (!phone) return 'INVALID';
  return pjsipDeviceState(e, phone);
}

function pjsipDeviceState(e: Engine, phone: Phone): string {
  if (!phone.online) return 'UNAVAILABLE';
  let inuse = false;
  let ringing = false;
  let hold = false;
  for (const ch of phone.channels) {
    if (ch.dead) continue;
    if (ch.outgoing && (ch.state === 'Ringing' || ch.state === 'Down')) ringing = true;
    else if (ch.remoteHold) hold = true;
    else inuse = true;
  }
  if (ringing && (inuse || hold)) return 'RINGINUSE';
  if (ringing) return 'RINGING';
  if (inuse) return 'INUSE';
  if (hold) return 'ONHOLD';
  return 'NOT_INUSE';
}

/** EndpointStateChange: the endpoint snapshot changes with its channels (stasis_endpoints.c). */
export function endpointEvent(e: Engine, phone: Phone): void {
  e.apps.endpointEvent('PJSIP', phone.number, () => ({
    type: 'EndpointStateChange',
    timestamp: astTimestamp(),
    endpoint: phone.toJSON(),
  }));
}

export function updateEndpointDevice(e: Engine, phone: Phone): void {
  e.publishDeviceState(`PJSIP/${phone.number}`, pjsipDeviceState(e, phone));
}

/** Publishes DeviceStateChanged when the aggregate state changed (device_state_aggregate_calc). */
export function publishDeviceState(e: Engine, device: string, state: string): void {
  if (e.deviceCache.get(device) === state) return;
  e.deviceCache.set(device, state);
  e.apps.deviceEvent(device, () => ({
    type: 'DeviceStateChanged',
    application: '',
    timestamp: astTimestamp(),
    device_state: { name: device, state },
  }));
  e.notify();
}

/** stasis_app_device_state_update(): returns the ARI outcome. */
export function updateStasisDevice(e: Engine, name: string, value: string | undefined): 'ok' | 'not-controlled' | 'missing' | 'unknown' {
  if (name.slice(0, 7).toLowerCase() !== 'stasis:') return 'not-controlled';
  const key = name.slice(7);
  if (key === '') return 'missing';
  const state = value === undefined ? undefined : DEVICE_STATES.find((s) => s === value.toUpperCase());
  if (!state || state === 'UNKNOWN') return 'unknown';
  e.astdb.set(key, state);
  e.publishDeviceState(`Stasis:${key}`, state);
  return 'ok';
}

/** stasis_app_device_state_delete(). */
export function deleteStasisDevice(e: Engine, name: string): 'ok' | 'not-controlled' | 'missing' | 'unknown' {
  if (name.slice(0, 7).toLowerCase() !== 'stasis:') return 'not-controlled';
  const key = name.slice(7);
  if (key === '') return 'missing';
  const device = `Stasis:${key}`;
  if (!e.deviceCache.has(device) && !e.astdb.has(key)) return 'unknown';
  e.astdb.delete(key);
  e.publishDeviceState(device, 'UNKNOWN');
  return 'ok';
}

/** ast_extension_state() for a hint: aggregate of its devices, as an extension state name. */
export function extensionState(e: Engine, context: string, exten: string): string {
  const hint = e.dialplan.hint(context, exten);
  if (hint === undefined) return 'Unknown';
  const devices = hint.split(',')[0].split('&').map((d) => d.trim()).filter(Boolean);
  const order: Record<string, number> = {
    UNKNOWN: 1, NOT_INUSE: 3, INUSE: 6, BUSY: 7, INVALID: 0, UNAVAILABLE: 2, RINGING: 5, RINGINUSE: 8, ONHOLD: 4,
  };
  let agg = 'INVALID';
  let ringing = false;
  let inuse = false;
  for (const d of devices) {
    const s = e.deviceState(d);
    if (s === 'RINGING') ringing = true;
    else if (s === 'INUSE' || s === 'ONHOLD' || s === 'BUSY') inuse = true;
    if (ringing && inuse) agg = 'RINGINUSE';
    else if (order[s] > order[agg]) agg = s;
  }
  switch (agg) {
    case 'ONHOLD':
      return 'Hold';
    case 'BUSY':
      return 'Busy';
    case 'UNKNOWN':
    case 'NOT_INUSE':
      return 'Idle';
    case 'UNAVAILABLE':
    case 'INVALID':
      return 'Unavailable';
    case 'RINGINUSE':
      return 'InUse&Ringing';
    case 'RINGING':
      return 'Ringing';
    case 'INUSE':
      return 'InUse';
    default:
      return 'Idle';
  }
}

export function addPhone(e: Engine, number: string, context: string, behavior: PhoneBehavior, name: string): Phone {
  let phone = e.phones.get(number);
  if (phone) {
    phone.context = context;
    phone.behavior = behavior;
    phone.name = name;
  } else {
    phone = new Phone(number, context, behavior, name);
    e.phones.set(number, phone);
  }
  updateEndpointDevice(e, phone);
  return phone;
}

export function deviceSubscribeAll(e: Engine, appName: string): void {
  let set = e.apps.deviceSubs.get(appName);
  if (!set) e.apps.deviceSubs.set(appName, (set = new Set()));
  set.add(DEVICE_STATE_ALL);
}
