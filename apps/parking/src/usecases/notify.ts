import { retrievalNumber } from '../domain/codes';
import type { ParkedCall } from '../domain/parked-call';
import type { TenantConfig } from '../domain/tenant';
import { isParkingError } from '../domain/errors';
import { splitEndpoint } from '../domain/endpoints';
import type { ServiceContext } from './context';

/**
 * Text messages (SIP MESSAGE) about a park: to the parker when they could not hear where
 * the call went (P6), to the extension a call was parked against, and to the parker's
 * group (B4). A failed message is logged, never fatal: the call is parked either way.
 */
export async function notifyParked(ctx: ServiceContext, config: TenantConfig, call: ParkedCall, tellParker: boolean): Promise<void> {
  const caller = call.callerName || call.callerNumber || 'A caller';
  const where = retrievalNumber(config, call.place);
  const by = call.parker.extension ? ` by ${call.parker.extension}` : '';
  const recipients = new Map<string, string>();

  if (tellParker && call.parker.endpoint) {
    recipients.set(call.parker.endpoint, `Call from ${caller} parked on ${call.placeKey}. Retrieve: ${where}`);
  }
  if (call.place.kind === 'EXTENSION') {
    const target = config.extensions.get(call.place.number);
    if (target && !recipients.has(target.endpoint)) recipients.set(target.endpoint, `${caller} parked for you${by}. Retrieve: ${where}`);
  }
  // A group park tells every member of the group (B4).
  const group = call.groupId ? config.groups.get(call.groupId) : undefined;
  if (group) {
    for (const member of group.members) {
      const endpoint = config.extensions.get(member)?.endpoint;
      if (endpoint && !recipients.has(endpoint)) recipients.set(endpoint, `${caller} parked on ${call.placeKey}${by}. Retrieve: ${where}`);
    }
  }
  await Promise.all(
    [...recipients].map(async ([endpoint, body]) => {
      const { technology, resource } = splitEndpoint(endpoint);
      try {
        await ctx.ari.sendMessage(`${technology.toLowerCase()}:${resource}`, ctx.options.messageFrom, body);
      } catch (err) {
        // Asterisk answers "Endpoint not found" also for an endpoint that exists but has no
        // registered contact (the phone is not registered): say which.
        const reason = isParkingError(err, 'not-found') ? await whyUndeliverable(ctx, technology, resource) : undefined;
        ctx.log.warn({ err, endpoint, parkedCallId: call.id, reason }, `park notification not delivered${reason ? `: ${reason}` : ''}`);
      }
    }),
  );
  if (recipients.size > 0) {
    ctx.events.publish({
      type: 'notified',
      tenantId: call.tenantId,
      parkedCallId: call.id,
      data: { recipients: [...recipients.keys()], place: call.placeKey },
    });
  }
}

/** Why a SIP MESSAGE could not be sent: no such endpoint, or one with no registered contact. */
async function whyUndeliverable(ctx: ServiceContext, technology: string, resource: string): Promise<string> {
  try {
    const state = await ctx.ari.endpoint(technology, resource);
    return state.online ? 'Asterisk found no contact to send it to' : `${technology}/${resource} has no registered contact (phone not registered)`;
  } catch (err) {
    return isParkingError(err, 'not-found') ? `no endpoint ${technology}/${resource} on Asterisk` : 'Asterisk found no contact to send it to';
  }
}
