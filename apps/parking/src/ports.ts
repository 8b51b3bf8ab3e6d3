/**
 * The ports the use cases depend on. Adapters (ari/, store/, http/) implement them; tests and
 * the benchmark may substitute their own.
 */
import type { ParkOutcome, ParkedCall } from './domain/parked-call';
import type { TenantConfig } from './domain/tenant';

export interface ChannelSnapshot {
  id: string;
  name: string;
  state: string;
  callerName: string;
  callerNumber: string;
  /** ari.conf channelvars delivered with the channel (BLINDTRANSFER, ATTENDEDTRANSFER, PARK_PEER). */
  vars: Record<string, string>;
}

export interface OriginateRequest {
  endpoint: string;
  channelId: string;
  appArgs: string[];
  callerId: string;
  timeoutSec: number;
  variables?: Record<string, string>;
}

export interface OriginateLocalRequest {
  endpoint: string;
  context: string;
  extension: string;
  variables: Record<string, string>;
}

export type DeviceState = 'NOT_INUSE' | 'INUSE' | 'BUSY' | 'INVALID' | 'UNAVAILABLE' | 'RINGING' | 'ONHOLD';

/** What the service asks of Asterisk. Errors are ParkingErrors (call-gone, not-in-stasis, ...). */
export interface CallControl {
  answer(channelId: string): Promise<void>;
  hangup(channelId: string, reason?: 'normal' | 'busy' | 'answered_elsewhere' | 'no_answer'): Promise<void>;
  continueInDialplan(channelId: string, context: string, extension: string, priority: number): Promise<void>;
  play(channelId: string, playbackId: string, media: string[]): Promise<void>;
  stopPlayback(playbackId: string): Promise<void>;
  createBridge(bridgeId: string, type: 'holding' | 'mixing', name: string): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  addToBridge(bridgeId: string, channelIds: string[]): Promise<void>;
  startBridgeMusic(bridgeId: string, mohClass: string): Promise<void>;
  startMusic(channelId: string, mohClass: string): Promise<void>;
  stopMusic(channelId: string): Promise<void>;
  setDeviceState(name: string, state: DeviceState): Promise<void>;
  listDeviceStates(): Promise<Array<{ name: string; state: string }>>;
  originate(request: OriginateRequest): Promise<void>;
  originateLocal(request: OriginateLocalRequest): Promise<void>;
  /** Live channel ids of an endpoint, and whether it is reachable. */
  endpoint(technology: string, resource: string): Promise<{ online: boolean; channelIds: string[] }>;
  channel(channelId: string): Promise<ChannelSnapshot>;
  listChannels(): Promise<ChannelSnapshot[]>;
  listBridges(): Promise<Array<{ id: string; type: string; channelIds: string[] }>>;
  /** Channels in our Stasis application right now. */
  applicationChannelIds(): Promise<string[]>;
  sendMessage(to: string, from: string, body: string): Promise<void>;
  /** Whether a sound is installed (GET /sounds/{id}: 404 when not). */
  soundExists(soundId: string): Promise<boolean>;
  /** Whether a module is running (GET /asterisk/modules/{name}: 404 when not). */
  moduleLoaded(name: string): Promise<boolean>;
}

export interface Clock {
  now(): number;
  /** Runs `fn` at `at` (epoch ms) or at once if past; returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

/** A live parked call as the database holds it. */
export type StoredPark = Pick<
  ParkedCall,
  | 'id' | 'tenantId' | 'placeKey' | 'groupId' | 'callerChannelId' | 'callerName' | 'callerNumber'
  | 'parker' | 'method' | 'parkedAt' | 'recallAt' | 'timeoutAt' | 'recallAttempts'
>;

/** Durable record of parked calls. Writes may be queued; they are applied in order. */
export interface ParkStore {
  parked(call: ParkedCall, details: Record<string, unknown>): void;
  event(call: ParkedCall, type: string, details?: Record<string, unknown>): void;
  updated(call: ParkedCall): void;
  ended(call: ParkedCall, outcome: ParkOutcome, details: Record<string, unknown>): void;
  /** Live rows, for reconciliation after a restart. */
  live(): Promise<StoredPark[]>;
}

export interface ConfigSource {
  tenantBySlug(slug: string): Promise<TenantConfig | null>;
  tenantById(id: string): Promise<TenantConfig | null>;
  /** The tenant and extension an endpoint (PJSIP/101) belongs to. */
  endpointOwner(endpoint: string): Promise<{ config: TenantConfig; extension: string } | null>;
  allTenants(): Promise<TenantConfig[]>;
  invalidate(tenantId?: string): void;
}

/** Latency observations for the metrics (O4); durations in milliseconds. */
export interface Telemetry {
  parked(ms: number): void;
  connected(ms: number): void;
}

export interface ParkingEvent {
  id: string;
  type: string;
  tenantId: string;
  at: string;
  /** Per-tenant sequence number, 1, 2, 3... (restarts with the process: see EventBus.epoch). */
  seq: number;
  parkedCallId: string | null;
  data: Record<string, unknown>;
}

export interface EventSink {
  publish(event: Omit<ParkingEvent, 'id' | 'at' | 'seq'>): void;
}
