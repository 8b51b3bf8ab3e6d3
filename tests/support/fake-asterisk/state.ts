/**
 * The fake's state model: channels, bridges, playbacks, phones (PJSIP endpoints), and their
 * ARI JSON renderings (main/stasis_channels.c ast_channel_snapshot_to_json,
 * main/stasis_bridges.c ast_bridge_snapshot_to_json, res/res_stasis_playback.c
 * stasis_app_playback_to_json, main/stasis_endpoints.c ast_endpoint_snapshot_to_json).
 */
import { astTimestamp } from './util';
import type { Deferred } from './util';

export type ChannelStateName =
  | 'Down'
  | 'Rsrved'
  | 'OffHook'
  | 'Dialing'
  | 'Ring'
  | 'Ringing'
  | 'Up'
  | 'Busy'
  | 'Dialing Offhook'
  | 'Pre-ring'
  | 'Unknown';

export interface CallerId {
  name: string;
  number: string;
}

export type PhoneBehavior = 'answer' | 'busy' | 'noanswer' | 'unreachable' | 'manual';

/** ast_cause2str() texts (main/channel.c causes[]). */
const CAUSE_TEXT: Record<number, string> = {
  1: 'Unallocated (unassigned) number',
  2: 'No route to specified transmit network',
  3: 'No route to destination',
  5: 'Misdialed trunk prefix',
  6: 'Channel unacceptable',
  7: 'Call awarded and being delivered in an established channel',
  8: 'Pre-empted',
  14: 'Number ported elsewhere',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  20: 'Subscriber absent',
  21: 'Call Rejected',
  22: 'Number changed',
  23: 'Redirected to new destination',
  26: 'Answered elsewhere',
  27: 'Destination out of order',
  28: 'Invalid number format',
  29: 'Facility rejected',
  30: 'Response to STATus ENQuiry',
  31: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  41: 'Temporary failure',
  42: 'Switching equipment congestion',
  43: 'Access information discarded',
  44: 'Requested channel not available',
  50: 'Facility not subscribed',
  52: 'Outgoing call barred',
  54: 'Incoming call barred',
  57: 'Bearer capability not authorized',
  58: 'Bearer capability not available',
  65: 'Bearer capability not implemented',
  66: 'Channel not implemented',
  69: 'Facility not implemented',
  81: 'Invalid call reference value',
  88: 'Incompatible destination',
  95: 'Invalid message unspecified',
  96: 'Mandatory information element is missing',
  97: 'Message type nonexist.',
  98: 'Wrong message',
  99: 'Info. element nonexist or not implemented',
  100: 'Invalid information element contents',
  101: 'Message not compatible with call state',
  102: 'Recover on timer expiry',
  103: 'Mandatory IE length error',
  111: 'Protocol error, unspecified',
  127: 'Interworking, unspecified',
};

export const causeText = (cause: number): string => CAUSE_TEXT[cause] ?? 'Unknown';

/** The SIP final response a phone sends to reject with a Q.850 cause (inverse of ast_sip_hangup_sip2cause). */
export function sipStatusForCause(cause: number): number {
  switch (cause) {
    case 17:
      return 486;
    case 21:
      return 603;
    case 19:
      return 480;
    case 18:
      return 408;
    case 1:
    case 3:
      return 404;
    case 34:
    case 42:
      return 503;
    case 27:
      return 502;
    case 58:
      return 488;
    default:
      return 500;
  }
}

/** res/res_pjsip.c ast_sip_hangup_sip2cause(). */
export function causeForSipStatus(status: number): number {
  const table: Record<number, number> = {
    302: 23, 401: 21, 403: 21, 404: 1, 405: 127, 407: 21, 408: 18, 409: 41, 410: 22, 411: 127,
    413: 127, 414: 127, 415: 127, 420: 3, 480: 19, 481: 127, 482: 127, 483: 19, 484: 28, 485: 1,
    486: 17, 487: 127, 488: 58, 491: 127, 493: 127, 500: 38, 501: 29, 502: 27, 503: 34, 504: 102,
    505: 127, 600: 17, 603: 21, 604: 1, 606: 58,
  };
  if (table[status] !== undefined) return table[status];
  if (status >= 400 && status < 500) return 21;
  if (status >= 500 && status < 600) return 34;
  if (status >= 600 && status < 700) return 17;
  return 16;
}

/** main/dial.c ast_hangup_cause_to_dial_status(). */
export function dialStatusForCause(cause: number): string {
  switch (cause) {
    case 17:
      return 'BUSY';
    case 34:
      return 'CONGESTION';
    case 3:
    case 20:
      return 'CHANUNAVAIL';
    default:
      return 'NOANSWER';
  }
}

export interface StasisControl {
  app: string;
  args: string[];
  /** Resolved when the channel leaves Stasis(); the value says where the PBX goes next. */
  done: Deferred<StasisExit>;
}

export type StasisExit =
  | { kind: 'continue'; context: string; exten: string; priority: number }
  | { kind: 'hangup' }
  | { kind: 'redirect'; context: string; exten: string; priority: number };

export interface InviteRecord {
  channelId: string;
  channelName: string;
  callerId: CallerId;
  headers: Record<string, string>;
  variables: Record<string, string>;
  at: number;
}

export interface MessageRecord {
  to: string;
  from: string;
  body: string;
  variables: Record<string, string>;
  at: number;
}

export interface ReferRecord {
  kind: 'blind' | 'attended';
  transfererChannelId: string;
  transfererChannelName: string;
  exten?: string;
  context?: string;
  /** NOTIFY sipfrag statuses sent to the transferring phone (res/res_pjsip_refer.c refer_progress_*). */
  notifications: number[];
  /** True once the final NOTIFY (200/486/503...) went out and the deferred BYE was sent. */
  completed: boolean;
  at: number;
}

export class Phone {
  readonly invites: InviteRecord[] = [];
  readonly messages: MessageRecord[] = [];
  readonly refers: ReferRecord[] = [];
  /** DTMF sent to the phone (POST /channels/{id}/dtmf). */
  readonly dtmfReceived: Array<{ channelId: string; digits: string }> = [];
  /** Live channels of this endpoint, in creation order. */
  readonly channels = new Set<Channel>();

  constructor(
    readonly number: string,
    public context: string,
    public behavior: PhoneBehavior,
    public name: string,
  ) {}

  get online(): boolean {
    return this.behavior !== 'unreachable';
  }

  get calls(): Channel[] {
    return [...this.channels];
  }

  toJSON(): Record<string, unknown> {
    return {
      technology: 'PJSIP',
      resource: this.number,
      state: this.online ? 'online' : 'offline',
      channel_ids: [...this.channels].map((c) => c.id),
    };
  }
}

export class Channel {
  state: ChannelStateName;
  caller: CallerId;
  connected: CallerId = { name: '', number: '' };
  accountcode = '';
  context: string;
  exten: string;
  priority = 1;
  appName = '';
  appData = '';
  readonly creationtime: string;
  language = 'en';
  /** Channel variables, name without leading underscores. */
  readonly vars = new Map<string, string>();
  /** Variables marked report_events (ast_channel_set_ari_var_reportable). */
  readonly reportable = new Set<string>();
  /** PJSIP_HEADER(add,...) headers to send with the INVITE. */
  readonly headers: Record<string, string> = {};

  stasis: StasisControl | null = null;
  bridge: Bridge | null = null;
  /** App name -> subscription count (res/stasis/app.c forwards "interested"). */
  readonly subs = new Map<string, number>();
  dead = false;
  hangupCause = 0;
  techCause = 0;
  /** Class of the music started on the channel itself (ast_moh_start), or null. */
  moh: string | null = null;
  silence = false;
  /** The phone has put this call on hold (re-INVITE sendonly). */
  remoteHold = false;
  ringing = false;
  muted = false;
  readonly playbacks: Playback[] = [];
  /** For Local channels: the other half. */
  localPeer: Channel | null = null;
  /** Outgoing call attempt in progress (ringing), if any. */
  dial: DialAttempt | null = null;
  /** Set while a PBX (dialplan) runs on the channel. */
  pbxRunning = false;
  /** Wakes the channel's blocking dialplan application (Dial, Park, Wait...). */
  wake: Deferred<WakeReason> | null = null;
  /** A pending async goto (ChannelRedirect, blind transfer) for the PBX to pick up. */
  asyncGoto: { context: string; exten: string; priority: number } | null = null;
  /** Blind/attended transfer progress to report to the transferring phone. */
  referWatch: { phone: Phone; record: ReferRecord; transferer?: Channel } | null = null;
  /** Slot in res_parking when parked with Park(). */
  parkedSlot: number | null = null;
  /** The channel that originated this one with Dial()/ARI dial, when any. */
  dialedBy: Channel | null = null;
  /** After a masquerade: the channel that took this one's place (its PBX follows). */
  movedTo: Channel | null = null;
  /** Incremented to invalidate a PBX loop running on this channel (masquerade). */
  pbxGen = 0;

  protocolId: string;

  constructor(
    readonly id: string,
    public name: string,
    readonly tech: string,
    /** Endpoint resource for PJSIP ("101"), destination for Local ("pull@parking-helper"). */
    readonly resource: string,
    readonly phone: Phone | null,
    readonly outgoing: boolean,
    init: { state: ChannelStateName; caller: CallerId; context: string; exten: string; protocolId: string },
  ) {
    this.state = init.state;
    this.caller = init.caller;
    this.context = init.context;
    this.exten = init.exten;
    this.protocolId = init.protocolId;
    this.creationtime = astTimestamp();
  }

  getVar(name: string): string | undefined {
    return this.vars.get(name.replace(/^__?/, ''));
  }

  /** `read` resolves function-style channelvars such as CALLERID(num) (channel_get_external_vars). */
  toJSON(channelvars: readonly string[], read?: (name: string) => string | undefined): Record<string, unknown> {
    const json: Record<string, unknown> = {
      id: this.id,
      name: this.name,
      state: this.state,
      protocol_id: this.protocolId,
      caller: { name: this.caller.name, number: this.caller.number },
      connected: { name: this.connected.name, number: this.connected.number },
      accountcode: this.accountcode,
      dialplan: {
        context: this.context,
        exten: this.exten,
        priority: this.priority,
        app_name: this.appName,
        app_data: this.appData,
      },
      creationtime: this.creationtime,
      language: this.language,
    };
    if (channelvars.length > 0 || this.reportable.size > 0) {
      const vars: Record<string, string> = {};
      const get = (v: string) => (v.includes('(') && read ? read(v) : this.getVar(v)) ?? '';
      for (const v of channelvars) vars[v] = get(v);
      for (const v of this.reportable) if (!(v in vars)) vars[v] = get(v);
      json.channelvars = vars;
    }
    return json;
  }
}

export type WakeReason = 'hangup' | 'answer' | 'reject' | 'timeout' | 'bridge-ended' | 'goto' | 'retrieved';

/** An outgoing call being placed to a phone (ast_dial / app_dial). */
export interface DialAttempt {
  /** Q.850 cause once failed, with the SIP status when the phone answered with one. */
  outcome: Deferred<{ answered: boolean; cause: number; sipStatus?: number }>;
  timeoutMs: number;
  timer: NodeJS.Timeout | null;
  /** The calling channel (app_dial); null for ARI originate. */
  caller: Channel | null;
  dialstring: string;
  /** Whether Dial events go out (always in Asterisk; kept for clarity). */
  publish: boolean;
}

export type BridgeClass = 'stasis' | 'basic' | 'parking';

export class Bridge {
  readonly channels: Channel[] = [];
  readonly creationtime = astTimestamp();
  readonly subs = new Map<string, number>();
  readonly vars = new Map<string, string>();
  /** Music class played to the whole bridge (POST /bridges/{id}/moh), or null. */
  moh: string | null = null;
  readonly playbacks: Playback[] = [];
  dead = false;

  constructor(
    readonly id: string,
    readonly bridgeType: 'mixing' | 'holding',
    readonly bridgeClass: BridgeClass,
    readonly creator: string,
    readonly name: string,
    readonly videoMode: string,
    /** Requested type flags (dtmf_events, proxy_media...), for information. */
    readonly typeFlags: string[] = [],
  ) {}

  get technology(): string {
    if (this.bridgeType === 'holding') return 'holding_bridge';
    return this.channels.length > 2 ? 'softmix' : 'simple_bridge';
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      id: this.id,
      technology: this.technology,
      bridge_type: this.bridgeType,
      bridge_class: this.bridgeClass,
      creator: this.creator,
      name: this.name,
      channels: this.channels.map((c) => c.id),
      creationtime: this.creationtime,
      video_mode: this.videoMode,
    };
    if (this.vars.size > 0) json.bridgevars = Object.fromEntries(this.vars);
    return json;
  }
}

export type PlaybackStateName = 'queued' | 'playing' | 'paused' | 'continuing' | 'done' | 'failed';

/** Media schemes whose playback can be stopped/paused (res_stasis_playback.c play_on_channel). */
export const CONTROLLABLE_SCHEMES = ['sound:', 'recording:', 'tone:'];
export const KNOWN_SCHEMES = ['sound:', 'recording:', 'number:', 'digits:', 'characters:', 'tone:'];

export class Playback {
  index = 0;
  state: PlaybackStateName = 'queued';
  /** Becomes true when a sound:/recording:/tone: item starts; never reset (as in Asterisk). */
  controllable = false;
  /** A stop was accepted while a non-stoppable item played: end after it. */
  stopRequested = false;
  /** sound: items that could not be played (no such file): the person heard nothing for them. */
  readonly missing: string[] = [];
  readonly createdAt = Date.now();

  constructor(
    readonly id: string,
    readonly medias: string[],
    readonly target: Channel | Bridge,
    readonly targetUri: string,
    readonly language: string,
  ) {}

  get media(): string {
    return this.medias[Math.min(this.index, this.medias.length - 1)] ?? '';
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { id: this.id, media_uri: this.media };
    if (this.index < this.medias.length - 1) json.next_media_uri = this.medias[this.index + 1];
    json.target_uri = this.targetUri;
    json.language = this.language;
    json.state = this.state;
    return json;
  }
}
