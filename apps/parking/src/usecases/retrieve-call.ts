import { placeKey, type Place } from '../domain/codes';
import { PIN_ATTEMPTS, PIN_MAX_DIGITS, retrieveAccess } from '../domain/access';
import { isTakeable, type ParkedCall } from '../domain/parked-call';
import { groupOf, type TenantConfig } from '../domain/tenant';
import type { ChannelSnapshot } from '../ports';
import { backToParked, connectParkedCall } from './connect-call';
import { endpointOfChannelName } from '../domain/endpoints';
import type { ServiceContext } from './context';
import { channelKey } from './channel-events';
import { collectDigits, refuse } from './conversation';
import { prompts } from './prompts';

export interface RetrieveRequest {
  config: TenantConfig;
  channel: ChannelSnapshot;
  /** A place, or 'own': the call parked on the retriever's extension, else their group's oldest (R2). */
  target: Place | 'own';
  retriever: string | null;
  verifyPin: (hash: string, pin: string) => Promise<boolean>;
  receivedAt?: number;
}

/** Finds the call a retriever asks for, among takeable calls only. */
export function findCall(ctx: ServiceContext, config: TenantConfig, target: Place | 'own', retriever: string | null): ParkedCall | undefined {
  const tenantId = config.settings.id;
  if (target !== 'own') {
    const call = ctx.lots.atPlace(tenantId, placeKey(target));
    return call && isTakeable(call) ? call : undefined;
  }
  if (!retriever) return undefined;
  const own = ctx.lots.atPlace(tenantId, retriever);
  if (own && isTakeable(own)) return own;
  const group = groupOf(config, retriever);
  if (!group) return undefined;
  return ctx.lots.oldestAt(tenantId, group.useMembersAsDestinations ? group.members : group.destinations);
}

/**
 * A phone retrieves a parked call (R1-R4, R6, R7). The claim is synchronous: of two
 * retrievers at the same moment, one gets the call, the other hears "no call parked".
 */
export async function retrieveCall(ctx: ServiceContext, req: RetrieveRequest): Promise<void> {
  const { config, channel, retriever } = req;
  let call = findCall(ctx, config, req.target, retriever);
  if (!call) return refuse(ctx, channel.id, prompts.noCallParked);

  const slot = call.place.kind === 'SLOT' ? config.slots.get(call.place.number) : undefined;
  const access = slot ? retrieveAccess(slot, retriever) : 'allowed';
  if (access === 'refused') return refuse(ctx, channel.id, prompts.notAllowed);
  if (access === 'pin') {
    if (channel.state !== 'Up') await ctx.ari.answer(channel.id);
    const ok = await askPin(ctx, channel.id, slot!.pinHash!, req.verifyPin);
    if (ok === 'gone') return;
    if (ok === 'wrong') {
      ctx.store.event(call, 'retrieve_refused', { by: retriever, reason: 'wrong-pin' });
      return refuse(ctx, channel.id, prompts.goodbye);
    }
    // The call may have been taken while the PIN was typed.
    call = ctx.lots.get(call.id);
    if (!call || !isTakeable(call)) return refuse(ctx, channel.id, prompts.noCallParked);
  }

  call.state = 'CONNECTING';
  try {
    if (channel.state !== 'Up' && access !== 'pin') await ctx.ari.answer(channel.id);
  } catch {
    // The retriever hung up before we answered: the caller stays parked.
    return backToParked(ctx, call);
  }
  await connectParkedCall(ctx, config, { call, otherChannelId: channel.id, outcome: 'RETRIEVED', by: retriever ?? channel.callerNumber, endpoint: endpointOfChannelName(channel.name), receivedAt: req.receivedAt });
}

async function askPin(
  ctx: ServiceContext,
  channelId: string,
  pinHash: string,
  verifyPin: RetrieveRequest['verifyPin'],
): Promise<'ok' | 'wrong' | 'gone'> {
  // Type-ahead (R6): digits pressed while a PIN is checked count toward the next attempt;
  // digits pressed during a prompt stop it and count (collectDigits).
  let typed = '';
  let collecting = false;
  const off = ctx.channelEvents.on(channelKey(channelId), (event) => {
    if (!collecting && event.type === 'ChannelDtmfReceived') typed += event.digit;
  });
  try {
    for (let attempt = 1; attempt <= PIN_ATTEMPTS; attempt++) {
      // "Password incorrect, please enter your password" asks again by itself.
      const prompt = attempt === 1 ? prompts.enterPin : prompts.wrongPin;
      collecting = true;
      const result = await collectDigits(ctx, channelId, prompt, { maxDigits: PIN_MAX_DIGITS, timeoutMs: ctx.options.pinTimeoutMs, typed });
      collecting = false;
      typed = '';
      if (result.kind === 'gone') return 'gone';
      if (result.kind === 'digits' && (await verifyPin(pinHash, result.digits))) return 'ok';
    }
    return 'wrong';
  } finally {
    off();
  }
}
