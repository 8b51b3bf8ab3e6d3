/**
 * Swagger 1.1 model declarations served in the fake's api-docs. Written for the fake (not copied
 * from Asterisk); property names and types follow the models ARI 22 serialises, which is what
 * ari-client needs: it promotes event properties whose type is a known resource (Channel, Bridge,
 * Playback, DeviceState, Endpoint...) to resource objects, and it crashes on an event type that is
 * missing from the events models.
 *
 * Notation: 'type' optional property, 'type!' required property, 'type!|a,b,c' allowable values.
 */

export interface ModelProperty {
  type: string;
  required?: boolean;
  description?: string;
  allowableValues?: { valueType: 'LIST'; values: string[] };
}

export interface ModelDecl {
  id: string;
  description?: string;
  properties: Record<string, ModelProperty>;
  subTypes?: string[];
  discriminator?: string;
  extends?: string;
}

function model(
  id: string,
  props: Record<string, string>,
  extra: Partial<ModelDecl> = {},
): ModelDecl {
  const properties: Record<string, ModelProperty> = {};
  for (const [name, spec] of Object.entries(props)) {
    const [typePart, values] = spec.split('|');
    const required = typePart.endsWith('!');
    const type = required ? typePart.slice(0, -1) : typePart;
    const p: ModelProperty = { type };
    if (required) p.required = true;
    if (values) p.allowableValues = { valueType: 'LIST', values: values.split(',') };
    properties[name] = p;
  }
  return { id, properties, ...extra };
}

const CHANNEL_STATES = 'Down,Rsrved,OffHook,Dialing,Ring,Ringing,Up,Busy,Dialing Offhook,Pre-ring,Unknown';
const DEVICE_STATES = 'UNKNOWN,NOT_INUSE,INUSE,BUSY,INVALID,UNAVAILABLE,RINGING,RINGINUSE,ONHOLD';

export const CHANNEL_MODELS: ModelDecl[] = [
  model('Dialed', {}),
  model('DialplanCEP', {
    context: 'string!',
    exten: 'string!',
    priority: 'long!',
    app_name: 'string!',
    app_data: 'string!',
  }),
  model('CallerID', { name: 'string!', number: 'string!' }),
  model('Channel', {
    id: 'string!',
    protocol_id: 'string!',
    name: 'string!',
    state: 'string!|' + CHANNEL_STATES,
    caller: 'CallerID!',
    connected: 'CallerID!',
    accountcode: 'string!',
    dialplan: 'DialplanCEP!',
    creationtime: 'Date!',
    language: 'string!',
    channelvars: 'object',
    caller_rdnis: 'string',
    tenantid: 'string',
  }),
];

export const BRIDGE_MODELS: ModelDecl[] = [
  model('Bridge', {
    id: 'string!',
    technology: 'string!',
    bridge_type: 'string!|mixing,holding',
    bridge_class: 'string!',
    creator: 'string!',
    name: 'string!',
    channels: 'List[string]!',
    video_mode: 'string',
    video_source_id: 'string',
    creationtime: 'Date!',
    bridgevars: 'object',
  }),
];

export const PLAYBACK_MODELS: ModelDecl[] = [
  model('Playback', {
    id: 'string!',
    media_uri: 'string!',
    next_media_uri: 'string',
    target_uri: 'string!',
    language: 'string',
    state: 'string!|queued,playing,continuing,done,failed',
  }),
];

export const SOUND_MODELS: ModelDecl[] = [
  model('FormatLangPair', { language: 'string!', format: 'string!' }),
  model('Sound', { id: 'string!', text: 'string', formats: 'List[FormatLangPair]!' }),
];

export const DEVICE_STATE_MODELS: ModelDecl[] = [
  model('DeviceState', { name: 'string!', state: 'string!|' + DEVICE_STATES }),
];

export const ENDPOINT_MODELS: ModelDecl[] = [
  model('Endpoint', {
    technology: 'string!',
    resource: 'string!',
    state: 'string|unknown,offline,online',
    channel_ids: 'List[string]!',
  }),
  model('TextMessage', { from: 'string!', to: 'string!', body: 'string!', variables: 'object' }),
];

export const APPLICATION_MODELS: ModelDecl[] = [
  model('Application', {
    name: 'string!',
    channel_ids: 'List[string]!',
    bridge_ids: 'List[string]!',
    endpoint_ids: 'List[string]!',
    device_names: 'List[string]!',
    events_allowed: 'List[object]!',
    events_disallowed: 'List[object]!',
  }),
];

export const ASTERISK_MODELS: ModelDecl[] = [
  model('BuildInfo', {
    os: 'string!',
    kernel: 'string!',
    options: 'string!',
    machine: 'string!',
    date: 'string!',
    user: 'string!',
  }),
  model('SystemInfo', { version: 'string!', entity_id: 'string!' }),
  model('SetId', { user: 'string!', group: 'string!' }),
  model('ConfigInfo', {
    name: 'string!',
    default_language: 'string!',
    max_channels: 'int',
    max_open_files: 'int',
    max_load: 'double',
    setid: 'SetId!',
  }),
  model('StatusInfo', { startup_time: 'Date!', last_reload_time: 'Date!' }),
  model('AsteriskInfo', {
    build: 'BuildInfo',
    system: 'SystemInfo',
    config: 'ConfigInfo',
    status: 'StatusInfo',
  }),
  model('Module', { name: 'string!', description: 'string!', use_count: 'int!', status: 'string!', support_level: 'string!' }),
  model('AsteriskPing', { asterisk_id: 'string!', ping: 'string!', timestamp: 'string!' }),
  model('Variable', { value: 'string!' }),
  model('Variables', { variables: 'object!' }),
];

/** Event models. Every event type the fake can send must be here (ari-client looks each one up). */
const EVENT_TYPES: Array<[string, Record<string, string>]> = [
  ['DeviceStateChanged', { device_state: 'DeviceState!' }],
  ['PlaybackStarted', { playback: 'Playback!' }],
  ['PlaybackContinuing', { playback: 'Playback!' }],
  ['PlaybackFinished', { playback: 'Playback!' }],
  ['RecordingStarted', { recording: 'LiveRecording!' }],
  ['RecordingFinished', { recording: 'LiveRecording!' }],
  ['RecordingFailed', { recording: 'LiveRecording!' }],
  ['ApplicationMoveFailed', { channel: 'Channel!', destination: 'string!', args: 'List[string]!' }],
  ['ApplicationRegistered', {}],
  ['ApplicationUnregistered', {}],
  ['ApplicationReplaced', {}],
  ['BridgeCreated', { bridge: 'Bridge!' }],
  ['BridgeDestroyed', { bridge: 'Bridge!' }],
  ['BridgeMerged', { bridge: 'Bridge!', bridge_from: 'Bridge!' }],
  ['BridgeVideoSourceChanged', { bridge: 'Bridge!', old_video_source_id: 'string' }],
  [
    'BridgeBlindTransfer',
    {
      channel: 'Channel!',
      replace_channel: 'Channel',
      transferee: 'Channel',
      exten: 'string!',
      context: 'string!',
      result: 'string!',
      is_external: 'boolean!',
      bridge: 'Bridge',
    },
  ],
  [
    'BridgeAttendedTransfer',
    {
      transferer_first_leg: 'Channel!',
      transferer_second_leg: 'Channel!',
      replace_channel: 'Channel',
      transferee: 'Channel',
      transfer_target: 'Channel',
      result: 'string!',
      is_external: 'boolean!',
      transferer_first_leg_bridge: 'Bridge',
      transferer_second_leg_bridge: 'Bridge',
      destination_type: 'string!',
      destination_bridge: 'string',
      destination_application: 'string',
      destination_link_first_leg: 'Channel',
      destination_link_second_leg: 'Channel',
      destination_threeway_channel: 'Channel',
      destination_threeway_bridge: 'Bridge',
    },
  ],
  ['ChannelCreated', { channel: 'Channel!' }],
  ['ChannelDestroyed', { cause: 'int!', cause_txt: 'string!', tech_cause: 'int', channel: 'Channel!' }],
  ['ChannelEnteredBridge', { bridge: 'Bridge!', channel: 'Channel' }],
  ['ChannelLeftBridge', { bridge: 'Bridge!', channel: 'Channel!' }],
  ['ChannelStateChange', { channel: 'Channel!' }],
  ['ChannelDtmfReceived', { digit: 'string!', duration_ms: 'int!', channel: 'Channel!' }],
  ['ChannelDialplan', { channel: 'Channel!', dialplan_app: 'string!', dialplan_app_data: 'string!' }],
  [
    'ChannelCallerId',
    { caller_presentation: 'int!', caller_presentation_txt: 'string!', channel: 'Channel!' },
  ],
  [
    'ChannelUserevent',
    { eventname: 'string!', channel: 'Channel', bridge: 'Bridge', endpoint: 'Endpoint', userevent: 'object!' },
  ],
  ['ChannelHangupRequest', { cause: 'int', tech_cause: 'int', soft: 'boolean', channel: 'Channel!' }],
  ['ChannelVarset', { variable: 'string!', value: 'string!', channel: 'Channel' }],
  ['ChannelHold', { channel: 'Channel!', musicclass: 'string' }],
  ['ChannelUnhold', { channel: 'Channel!' }],
  ['ChannelToneDetected', { channel: 'Channel!' }],
  ['ChannelTalkingStarted', { channel: 'Channel!' }],
  ['ChannelTalkingFinished', { channel: 'Channel!', duration: 'int!' }],
  ['ContactStatusChange', { endpoint: 'Endpoint!', contact_info: 'ContactInfo!' }],
  ['PeerStatusChange', { endpoint: 'Endpoint!', peer: 'Peer!' }],
  ['EndpointStateChange', { endpoint: 'Endpoint!' }],
  [
    'Dial',
    {
      caller: 'Channel',
      peer: 'Channel!',
      forward: 'string',
      forwarded: 'Channel',
      dialstring: 'string',
      dialstatus: 'string!',
    },
  ],
  ['StasisEnd', { channel: 'Channel!' }],
  ['StasisStart', { args: 'List[string]!', channel: 'Channel!', replace_channel: 'Channel' }],
  ['TextMessageReceived', { message: 'TextMessage!', endpoint: 'Endpoint' }],
  ['ChannelConnectedLine', { channel: 'Channel!' }],
  ['RESTResponse', {
    transaction_id: 'string!',
    request_id: 'string!',
    status_code: 'int!',
    reason_phrase: 'string!',
    uri: 'string!',
    content_type: 'string',
    message_body: 'string',
  }],
];

export const EVENT_TYPE_NAMES: string[] = EVENT_TYPES.map(([name]) => name);

export const EVENT_MODELS: ModelDecl[] = [
  model(
    'Message',
    { type: 'string!', asterisk_id: 'string' },
    { subTypes: ['MissingParams', 'Event'], discriminator: 'type' },
  ),
  model('MissingParams', { params: 'List[string]!' }, { extends: 'Message' }),
  model('Event', { application: 'string!', timestamp: 'Date!' }, { extends: 'Message', subTypes: EVENT_TYPE_NAMES }),
  model('ContactInfo', {
    uri: 'string!',
    contact_status: 'string!|Unreachable,Reachable,Unknown,NonQualified,Removed',
    aor: 'string!',
    roundtrip_usec: 'string',
  }),
  model('Peer', { peer_status: 'string!', cause: 'string', address: 'string', port: 'string', time: 'string' }),
  ...EVENT_TYPES.map(([name, props]) => model(name, props, { extends: 'Event' })),
];
