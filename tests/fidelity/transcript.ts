/**
 * What the service saw of Asterisk during a scenario, in a form that can be compared between
 * the fake and a real Asterisk: the ARI events the service reacts to (StasisStart, StasisEnd,
 * ChannelDestroyed, ChannelDtmfReceived, PlaybackFinished), grouped by channel, with ids and
 * unique channel-name suffixes replaced by roles ("PJSIP/102#1": the first channel of 102).
 *
 * Grouped by channel because only a channel's own events have an order Asterisk guarantees;
 * two channels' events interleave differently from run to run on a real Asterisk.
 */
export interface RawAriEvent {
  type: string;
  event: Record<string, any>;
}

export type Transcript = Record<string, string[]>;

/** The unique part Asterisk appends to channel names: "-0000001f", and Local's ";1"/";2" kept. */
const UNIQUE_SUFFIX = /-[0-9a-f]{8}(;[12])?$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export function transcriptOf(events: RawAriEvent[]): Transcript {
  const roles = new Map<string, string>();
  const counts = new Map<string, number>();
  const roleOf = (channel: { id: string; name: string }): string => {
    let role = roles.get(channel.id);
    if (!role) {
      const base = channel.name.replace(UNIQUE_SUFFIX, (_, local: string | undefined) => local ?? '');
      const n = (counts.get(base) ?? 0) + 1;
      counts.set(base, n);
      role = `${base}#${n}`;
      roles.set(channel.id, role);
    }
    return role;
  };
  // Ids and channel names inside arguments and variables become roles (or <id>).
  const anonymise = (text: string): string => {
    let out = text;
    for (const [id, role] of roles) out = out.split(id).join(role);
    return out.replace(UUID, '<id>').replace(/(PJSIP\/[\w*#]+|Local\/[^\s,]+?)-[0-9a-f]{8}(;[12])?/g, '$1$2');
  };

  const transcript: Transcript = {};
  const add = (role: string, line: string) => (transcript[role] ??= []).push(line);
  for (const { type, event } of events) {
    switch (type) {
      case 'StasisStart': {
        const role = roleOf(event.channel);
        const replacing = event.replace_channel ? ` replacing ${roleOf(event.replace_channel)}` : '';
        const vars = Object.entries((event.channel.channelvars ?? {}) as Record<string, string>)
          .filter(([, value]) => value !== '')
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => `${name}=${anonymise(value)}`);
        const args = ((event.args ?? []) as string[]).map(anonymise).join(',');
        add(role, `StasisStart(${args}) ${event.channel.state} caller=${event.channel.caller?.number ?? ''}${replacing}${vars.length ? ` ${vars.join(' ')}` : ''}`);
        break;
      }
      case 'StasisEnd':
        add(roleOf(event.channel), 'StasisEnd');
        break;
      case 'ChannelDestroyed':
        add(roleOf(event.channel), `ChannelDestroyed cause=${event.cause}`);
        break;
      case 'ChannelDtmfReceived':
        add(roleOf(event.channel), `DTMF ${event.digit}`);
        break;
      case 'PlaybackFinished': {
        const target = String(event.playback?.target_uri ?? '');
        const channelId = target.startsWith('channel:') ? target.slice('channel:'.length) : null;
        const role = channelId ? (roles.get(channelId) ?? 'unknown channel') : 'bridge';
        add(role, `PlaybackFinished ${event.playback?.media_uri} ${event.playback?.state}`);
        break;
      }
    }
  }
  return transcript;
}
