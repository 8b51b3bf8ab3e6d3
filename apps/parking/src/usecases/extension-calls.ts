import { isParkingError } from '../domain/errors';
import type { CallControl } from '../ports';
import { splitEndpoint } from '../domain/endpoints';

/** A live call of an extension's phone, as a receptionist console shows it under "My calls". */
export interface ExtensionCall {
  /** The phone's own channel. */
  channelId: string;
  state: string;
  /** The other party (the one to park), when the phone's channel is bridged with one. */
  peer: { channelId: string; name: string; number: string } | null;
}

/**
 * The live channels of an endpoint, each with the party it is bridged with (ARI: the
 * endpoint's channel_ids, the bridges, the peer channel). A channel that hangs up while we
 * look is left out, not an error: the list is a moment's picture.
 */
export async function extensionCalls(ari: CallControl, endpoint: string): Promise<ExtensionCall[]> {
  const { technology, resource } = splitEndpoint(endpoint);
  const { channelIds } = await ari.endpoint(technology, resource);
  if (channelIds.length === 0) return [];
  const [bridges, ...channels] = await Promise.all([ari.listBridges(), ...channelIds.map((id) => gone(ari.channel(id)))]);
  const calls = await Promise.all(
    channels.map(async (channel): Promise<ExtensionCall | null> => {
      if (!channel) return null;
      const peerId = bridges.find((b) => b.channelIds.includes(channel.id))?.channelIds.find((id) => id !== channel.id);
      const peer = peerId ? await gone(ari.channel(peerId)) : null;
      return {
        channelId: channel.id,
        state: channel.state,
        peer: peer && { channelId: peer.id, name: peer.callerName, number: peer.callerNumber },
      };
    }),
  );
  return calls.filter((c): c is ExtensionCall => c !== null);
}

/** null for a channel that is gone meanwhile; other errors (ARI down) are the caller's. */
async function gone<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (err) {
    if (isParkingError(err, 'call-gone') || isParkingError(err, 'not-found')) return null;
    throw err;
  }
}
