export { FakeAsterisk } from './fake-asterisk';
export type {
  FakeAsteriskOptions,
  PhoneOptions,
  PhoneView,
  ChannelJson,
  BridgeJson,
  PlaybackJson,
} from './fake-asterisk';
export type { SentEvent } from './apps';
export type { RequestLogEntry } from './server';
export type { InviteRecord, MessageRecord, ReferRecord, PhoneBehavior } from './state';
