import type { Logger } from 'pino';
import { ParkingLots } from '../domain/lots';
import type { CallControl, Clock, ConfigSource, EventSink, ParkStore, Telemetry } from '../ports';
import { ChannelEvents } from './channel-events';
import type { ConnectedCalls } from '../domain/connected-calls';
import type { Consult } from './consult';

/** What every use case is given: the ports, the live lots, and id/random sources. */
export interface ServiceContext {
  app: string;
  ari: CallControl;
  configs: ConfigSource;
  store: ParkStore;
  events: EventSink;
  clock: Clock;
  log: Logger;
  lots: ParkingLots;
  channelEvents: ChannelEvents;
  newId: () => string;
  random: (n: number) => number;
  /** Holding bridges known to exist in Asterisk, by id. Cleared when Asterisk restarts. */
  holdingBridges: Map<string, Promise<void>>;
  /** Recall timers and ring-back state per parked call id. */
  timers: Map<string, () => void>;
  /** Park attempts waiting on a consult leg (attended transfer, hold + dial), by consult channel id. */
  consults: Map<string, Consult>;
  /** Held callers being pulled in by the dialplan helper, by their channel id. */
  pulls: Map<string, Consult>;
  /** Return calls to a parker whose caller could not be parked: ring channel id -> caller id. */
  returns: Map<string, string>;
  /** Phones rung by the API to take a parked call: ring channel id -> the call and who asked. */
  deliveries: Map<string, { parkedCallId: string; by: string }>;
  /** Channels this process has seen enter Stasis and not leave: the ones its flows handle. */
  handled: Set<string>;
  /** Names of the channels in Stasis (a transfer's Local half names the transferer by it). */
  channelNames: Map<string, string>;
  /** Channels Asterisk is hanging up because it shuts down or restarts (not the caller's doing). */
  shutdownHangups: Set<string>;
  /** Calls the service bridged, watched as ordinary calls (hang-ups, transfers, parks again). */
  connected: ConnectedCalls;
  /** While a reconciliation runs: channels that left Stasis meanwhile (it may adopt them from an older list). */
  leftDuringReconcile: Set<string> | null;
  options: ServiceOptions;
  telemetry: Telemetry;
}

export interface ServiceOptions {
  /** How long a consult leg may stay after its announcement before we park its held call. */
  consultGraceMs: number;
  pinTimeoutMs: number;
  /** Ring time when a call goes back to the parker because it could not be parked (P8). */
  returnRingSec: number;
  /** From address of the text messages sent to phones. */
  messageFrom: string;
}

export const defaultServiceOptions: ServiceOptions = {
  consultGraceMs: 4000,
  pinTimeoutMs: 8000,
  returnRingSec: 30,
  messageFrom: 'sip:parking@localhost',
};
