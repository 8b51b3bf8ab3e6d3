import { randomInt, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ParkingLots } from './domain/lots';
import type { CallControl, Clock, ConfigSource, EventSink, ParkStore, Telemetry } from './ports';
import { ChannelEvents, type CallEvent } from './usecases/channel-events';
import { ConnectedCalls } from './domain/connected-calls';
import { defaultServiceOptions, type ServiceContext, type ServiceOptions } from './usecases/context';
import type { PinVerifier } from './usecases/handle-dialled-code';
import { deliverCall } from './usecases/deliver-call';
import { extensionCalls } from './usecases/extension-calls';
import { hangUpParked } from './usecases/hang-up-parked';
import { parkByApi, type ApiParkRequest } from './usecases/park-by-api';
import { describe } from './domain/describe-call';
import { reconcile } from './usecases/reconcile';
import { checkAsteriskSetup } from './usecases/check-asterisk';
import { routeEvent } from './usecases/route-event';

export interface ParkingServiceDeps {
  app: string;
  ari: CallControl;
  configs: ConfigSource;
  store: ParkStore;
  events: EventSink;
  clock: Clock;
  log: Logger;
  verifyPin: PinVerifier;
  options?: Partial<ServiceOptions>;
  random?: (n: number) => number;
  telemetry?: Telemetry;
}

/** The parking service's core: live state and use cases, with no knowledge of transports. */
export function createParkingService(deps: ParkingServiceDeps) {
  const ctx: ServiceContext = {
    app: deps.app,
    ari: deps.ari,
    configs: deps.configs,
    store: deps.store,
    events: deps.events,
    clock: deps.clock,
    log: deps.log,
    lots: new ParkingLots(),
    channelEvents: new ChannelEvents(),
    newId: randomUUID,
    random: deps.random ?? ((n) => randomInt(n)),
    holdingBridges: new Map(),
    timers: new Map(),
    consults: new Map(),
    pulls: new Map(),
    returns: new Map(),
    deliveries: new Map(),
    handled: new Set(),
    channelNames: new Map(),
    shutdownHangups: new Set(),
    connected: new ConnectedCalls(),
    leftDuringReconcile: null,
    options: { ...defaultServiceOptions, ...deps.options },
    telemetry: deps.telemetry ?? { parked: () => undefined, connected: () => undefined },
  };
  return {
    ctx,
    onEvent: (event: CallEvent) => routeEvent(ctx, event, deps.verifyPin),
    reconcile: () => reconcile(ctx),
    /** What the dialplan fallback and the prompts need from Asterisk (checked at connect). */
    checkAsterisk: () => checkAsteriskSetup(ctx),
    /** Call control (A3), for the HTTP API. */
    parked: (tenantId?: string) => ctx.lots.all(tenantId),
    describe,
    park: (req: ApiParkRequest) => parkByApi(ctx, req),
    deliver: (parkedCallId: string, endpoint: string, by: string) => deliverCall(ctx, parkedCallId, endpoint, by),
    hangUp: (parkedCallId: string, by: string) => hangUpParked(ctx, parkedCallId, by),
    /** The live calls of a phone with their other party ("My calls" of a console). */
    callsOf: (endpoint: string) => extensionCalls(ctx.ari, endpoint),
    /** Stops timers; parked callers stay in Asterisk for the next instance to adopt (O5). */
    stop(): void {
      for (const cancel of ctx.timers.values()) cancel();
      ctx.timers.clear();
    },
  };
}

export type ParkingService = ReturnType<typeof createParkingService>;
