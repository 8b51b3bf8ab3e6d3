/**
 * The phones of the suite, played by sipp (see sipp.ts and tests/e2e/scenarios):
 * - a registered Phone: REGISTER from port p, then phone.xml in server mode on p, which takes
 *   whatever Asterisk sends the phone (MESSAGE, ring-backs);
 * - a Line: one call the phone places (line.xml in client mode, its own port);
 * - a Blf: a BLF key's dialog subscription (blf.xml).
 * Asterisk identifies a phone by the From user (pjsip.conf identify_by=username), so a line
 * need not come from the registered port.
 */
import type { Asterisk } from './asterisk';
import { callIdOf, header, tagOf, type SipMessage } from './sip-log';
import type { Sipp, SippRun } from './sipp';
import { waitFor } from './wait';

const isInitialInvite = (m: SipMessage) => m.method === 'INVITE' && !tagOf(header(m, 'to'));

export class Phone {
  private readonly taken = new Set<string>();

  constructor(readonly number: string, readonly sipp: Sipp) {}

  /** SIP MESSAGEs the phone received. */
  messages(): SipMessage[] {
    return this.sipp.received((m) => m.method === 'MESSAGE');
  }

  /** New calls that rang the phone (initial INVITEs). */
  invites(): SipMessage[] {
    return this.sipp.received(isInitialInvite);
  }

  waitForMessage(timeoutMs = 10_000): Promise<SipMessage> {
    return this.sipp.waitForMessage(`a MESSAGE to ${this.number}`, (m) => m.direction === 'received' && m.method === 'MESSAGE', timeoutMs);
  }

  /** The next call that rings this phone (phone.xml answers it at once). */
  async nextCall(timeoutMs = 10_000): Promise<PhoneCall> {
    const invite = await this.sipp.waitForMessage(
      `a new call to ${this.number}`,
      (m) => m.direction === 'received' && isInitialInvite(m) && !this.taken.has(callIdOf(m)),
      timeoutMs,
    );
    this.taken.add(callIdOf(invite));
    return new PhoneCall(this, invite);
  }
}

/** A call Asterisk placed to a registered phone. */
export class PhoneCall {
  readonly callId: string;

  constructor(readonly phone: Phone, readonly invite: SipMessage) {
    this.callId = callIdOf(invite);
  }

  private get sipp(): Sipp {
    return this.phone.sipp;
  }

  private mine = (m: SipMessage) => callIdOf(m) === this.callId;

  /** The phone's answer was acknowledged (ACK from Asterisk). */
  answered(timeoutMs = 10_000): Promise<SipMessage> {
    return this.sipp.waitForMessage(`the ACK of its answer`, (m) => m.direction === 'received' && m.method === 'ACK' && this.mine(m), timeoutMs);
  }

  /** Puts the call on hold (re-INVITE a=sendonly) and waits for Asterisk's 200 OK. */
  async hold(): Promise<void> {
    await this.sipp.control(this.callId, 'HOLD');
    await this.sipp.waitForMessage('the ACK of its hold re-INVITE', (m) => m.direction === 'sent' && m.method === 'ACK' && this.mine(m) && header(m, 'cseq') === '102 ACK');
  }

  /** Sends REFER with this Refer-To and waits for 202 Accepted. */
  async transfer(referTo: string): Promise<void> {
    await this.sipp.control(this.callId, 'TRANSFER', { 'X-Refer-To': referTo });
    await this.sipp.waitForMessage('202 Accepted for its REFER', (m) => m.direction === 'received' && m.status === 202 && this.mine(m));
  }

  hangup(): Promise<void> {
    return this.sipp.control(this.callId, 'HANGUP');
  }

  /** A BYE ended the call: Asterisk's, or the phone's own (answered 200 OK). */
  ended(timeoutMs = 10_000): Promise<SipMessage> {
    return this.sipp.waitForMessage(
      'the end of the call',
      (m) => this.mine(m) && ((m.direction === 'received' && m.method === 'BYE') || (m.direction === 'received' && m.status === 200 && header(m, 'cseq') === '104 BYE')),
      timeoutMs,
    );
  }

  /** Who hung up: 'far' (Asterisk sent BYE), 'near' (the phone did), or null while the call lasts. */
  endedBy(): 'far' | 'near' | null {
    const log = this.sipp.log().messages.filter(this.mine);
    if (log.some((m) => m.direction === 'received' && m.method === 'BYE')) return 'far';
    if (log.some((m) => m.direction === 'sent' && m.method === 'BYE')) return 'near';
    return null;
  }

  /** The transfer reports (first line of each NOTIFY's message/sipfrag body). */
  transferReports(): string[] {
    return this.sipp.received((m) => m.method === 'NOTIFY' && this.mine(m)).map((m) => m.body.split('\n')[0]);
  }
}

export class Line {
  constructor(readonly from: string, readonly to: string, readonly sipp: Sipp) {}

  get callId(): string {
    return this.sipp.callId(1);
  }

  /** Responses to the INVITE. */
  responses(): SipMessage[] {
    return this.sipp.received((m) => m.status !== null && /^1 INVITE$/.test(header(m, 'cseq') ?? ''));
  }

  /** The INVITE's final response (200 OK, 603 Decline...). */
  async finalResponse(timeoutMs = 10_000): Promise<SipMessage> {
    return this.sipp.waitForMessage('the final response to its INVITE', (m) => m.direction === 'received' && (m.status ?? 0) >= 200 && header(m, 'cseq') === '1 INVITE', timeoutMs);
  }

  /** Waits until the call is answered (200 OK) and acknowledged. */
  async answered(timeoutMs = 10_000): Promise<SipMessage> {
    const final = await this.finalResponse(timeoutMs);
    if (final.status !== 200) throw new Error(`${this.from} calling ${this.to}: expected 200 OK, got "${final.startLine}"\n${this.sipp.describe()}`);
    await this.sipp.waitForMessage('its ACK', (m) => m.direction === 'sent' && m.method === 'ACK' && header(m, 'cseq') === '1 ACK', timeoutMs);
    return final;
  }

  /** Puts the call on hold (re-INVITE a=sendonly) and waits for Asterisk's 200 OK. */
  async hold(): Promise<void> {
    await this.sipp.control(this.callId, 'HOLD');
    await this.sipp.waitForMessage('the ACK of its hold re-INVITE', (m) => m.direction === 'sent' && m.method === 'ACK' && header(m, 'cseq') === '2 ACK');
  }

  /** Sends REFER with this Refer-To and waits for 202 Accepted. */
  async transfer(referTo: string): Promise<void> {
    await this.sipp.control(this.callId, 'TRANSFER', { 'X-Refer-To': referTo });
    await this.sipp.waitForMessage('202 Accepted for its REFER', (m) => m.direction === 'received' && m.status === 202);
  }

  /** Sends the digits as RFC 4733 telephone-events. */
  dtmf(digits: string): Promise<void> {
    return this.sipp.control(this.callId, 'DTMF', { 'X-Digits': digits });
  }

  hangup(): Promise<void> {
    return this.sipp.control(this.callId, 'HANGUP');
  }

  /** Waits for Asterisk's BYE on this call. */
  waitForBye(timeoutMs = 10_000): Promise<SipMessage> {
    return this.sipp.waitForMessage('a BYE from Asterisk', (m) => m.direction === 'received' && m.method === 'BYE', timeoutMs);
  }

  /** The transfer NOTIFYs (message/sipfrag bodies) Asterisk sent on this call. */
  transferReports(): string[] {
    return this.sipp.received((m) => m.method === 'NOTIFY').map((m) => m.body.split('\n')[0]);
  }

  /** This call's dialog as Asterisk knows it: for a Replaces header. */
  dialog(): { callId: string; localTag: string; remoteTag: string } {
    const ok = this.responses().find((m) => m.status === 200);
    if (!ok) throw new Error(`${this.from} -> ${this.to} is not answered`);
    return { callId: this.callId, localTag: tagOf(header(ok, 'from')), remoteTag: tagOf(header(ok, 'to')) };
  }

  ended(timeoutMs = 10_000): Promise<number | null> {
    return this.sipp.waitForExit(timeoutMs);
  }
}

export class Blf {
  constructor(readonly number: string, readonly target: string, readonly sipp: Sipp) {}

  get callId(): string {
    return this.sipp.callId(1);
  }

  /** The dialog state of every NOTIFY so far, in order (confirmed, terminated, early; '' if none). */
  states(): string[] {
    return this.sipp.received((m) => m.method === 'NOTIFY').map((m) => /<state>\s*([a-z]+)\s*<\/state>/.exec(m.body)?.[1] ?? '');
  }

  /** Waits for a NOTIFY, after the first `after` ones, whose dialog state is `state`. */
  async waitForState(state: string, after = 0, timeoutMs = 10_000): Promise<number> {
    return waitFor(
      `${this.number}'s BLF key for ${this.target} to show "${state}"`,
      () => {
        const index = this.states().findIndex((s, i) => i >= after && s === state);
        return index >= 0 ? index + 1 : null;
      },
      { timeoutMs, detail: () => `states so far: ${this.states().join(', ')}\n${this.sipp.describe()}` },
    );
  }

  async unsubscribe(): Promise<void> {
    if (!this.sipp.running) return;
    await this.sipp.control(this.callId, 'UNSUBSCRIBE');
    await this.sipp.waitForExit(5000);
  }
}

export class Phones {
  private readonly registered = new Map<string, Phone>();
  private readonly touched = new Set<string>();
  private lineCount = 0;

  constructor(private readonly run: SippRun, private readonly asterisk: Asterisk) {}

  /** Registers phone `number` and starts taking its calls and messages. */
  async register(number: string): Promise<Phone> {
    const existing = this.registered.get(number);
    if (existing?.sipp.running) return existing;
    this.touched.add(number);
    await this.unregister(number); // no stale contact from an earlier run may take its calls
    const port = await this.run.port();
    const reg = this.run.start({
      name: `register-${number}-${port}`,
      scenario: 'register.xml',
      client: true,
      port,
      keys: { user: number, contact: `<sip:${number}@127.0.0.1:${port};transport=udp>`, expires: '600' },
      maxCalls: 1,
    });
    if ((await reg.waitForExit()) !== 0) throw new Error(`REGISTER of ${number} failed\n${reg.describe()}`);
    const sipp = this.run.start({
      name: `phone-${number}`,
      scenario: 'phone.xml',
      client: false,
      port,
      mediaPort: await this.run.port(),
      keys: { user: number },
      autoAnswer: true,
    });
    const phone = new Phone(number, sipp);
    this.registered.set(number, phone);
    return phone;
  }

  /** Phone `from` dials `to` on a new line. */
  async call(from: string, to: string): Promise<Line> {
    this.touched.add(from);
    const sipp = this.run.start({
      name: `line-${from}-${++this.lineCount}`,
      scenario: 'line.xml',
      client: true,
      port: await this.run.port(),
      mediaPort: await this.run.port(),
      service: to,
      keys: { user: from },
      maxCalls: 1,
      autoAnswer: true,
    });
    return new Line(from, to, sipp);
  }

  /** A BLF key of phone `number` watching extension `target`. */
  async watch(number: string, target: string): Promise<Blf> {
    const sipp = this.run.start({
      name: `blf-${number}-${target}-${++this.lineCount}`,
      scenario: 'blf.xml',
      client: true,
      port: await this.run.port(),
      service: target,
      keys: { user: number },
      maxCalls: 1,
    });
    const blf = new Blf(number, target, sipp);
    await sipp.waitForMessage('200 OK to its SUBSCRIBE', (m) => m.direction === 'received' && m.status === 200);
    return blf;
  }

  /** Hangs up every channel still in Asterisk and waits for the lines to finish. */
  async hangUpAll(): Promise<void> {
    for (const channel of await this.asterisk.channels()) await this.asterisk.hangup(channel.id);
    await waitFor('Asterisk to have no channel left', async () => (await this.asterisk.channels()).length === 0, {
      timeoutMs: 10_000,
      detail: async () => JSON.stringify((await this.asterisk.channels()).map((c) => c.name)),
    });
    const lines = this.run.running.filter((s) => s.opts.scenario === 'line.xml');
    await Promise.all(lines.map((s) => s.waitForExit(5000).catch(() => s.stop())));
  }

  /** Removes every contact of the phones this run used, and stops their sipps. */
  async unregisterAll(): Promise<void> {
    for (const blf of this.run.running.filter((s) => s.opts.scenario === 'blf.xml')) {
      await blf.control(blf.callId(1), 'UNSUBSCRIBE').catch(() => undefined);
      await blf.waitForExit(3000).catch(() => blf.stop());
    }
    for (const phone of this.registered.values()) await phone.sipp.stop();
    this.registered.clear();
    for (const number of this.touched) await this.unregister(number).catch((err) => console.error(`e2e: unregister ${number}:`, err));
  }

  private async unregister(number: string): Promise<void> {
    const reg = this.run.start({
      name: `unregister-${number}-${Date.now()}`,
      scenario: 'register.xml',
      client: true,
      port: await this.run.port(),
      keys: { user: number, contact: '*', expires: '0' },
      maxCalls: 1,
    });
    if ((await reg.waitForExit()) !== 0) throw new Error(`unREGISTER of ${number} failed\n${reg.describe()}`);
  }
}
