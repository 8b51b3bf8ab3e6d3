/**
 * sipp processes playing the phones. Each one runs a scenario of tests/e2e/scenarios, copied
 * with the audio the phones send (audio.pcap) into the run's folder, and writes its message
 * log there. The test reads the log to see what a phone sent and received, and drives a phone
 * with control requests: datagrams sent to the phone's own port that carry the call's Call-ID
 * and a method no SIP element uses (HOLD, TRANSFER, DTMF, HANGUP, UNSUBSCRIBE). sipp maps them
 * to the call, and the scenario moves on; Asterisk never sees them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeTonePcap } from './pcap';
import { parseSippLog, summarize, type SipLog, type SipMessage } from './sip-log';
import { waitFor } from './wait';

const SCENARIOS = path.resolve(__dirname, '../scenarios');

/** A folder holding the scenarios, the audio and every sipp's logs of one test file. */
export class SippRun {
  readonly dir: string;
  private readonly processes = new Set<Sipp>();
  private nextPort: number;

  constructor(readonly sippBinary: string, readonly asterisk: { host: string; port: number }) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'parking-e2e-'));
    for (const file of readdirSync(SCENARIOS)) if (file.endsWith('.xml')) copyFileSync(path.join(SCENARIOS, file), path.join(this.dir, file));
    // sipp looks for the pcap next to the scenario; two minutes of tone outlast every call of the suite.
    writeTonePcap(path.join(this.dir, "audio.pcap"), 120);
    // Ports away from Asterisk's RTP range (rtp.conf 10000-20000) and from other runs.
    this.nextPort = 30000 + Math.floor(Math.random() * 2500) * 4;
  }

  /** A free UDP port p whose p+1..p+3 are free too (sipp binds media p and p+2). */
  async port(): Promise<number> {
    for (let tries = 0; tries < 200; tries++) {
      const port = this.nextPort;
      this.nextPort += 4;
      if (this.nextPort > 39996) this.nextPort = 30000;
      if (await udpPortsFree(port, 4)) return port;
    }
    throw new Error('no free UDP ports for sipp');
  }

  start(opts: SippOptions): Sipp {
    const sipp = new Sipp(this, opts);
    this.processes.add(sipp);
    sipp.exited.finally(() => this.processes.delete(sipp));
    return sipp;
  }

  get running(): Sipp[] {
    return [...this.processes];
  }

  /** Stops every sipp still running (a test that failed halfway leaves some). */
  async stopAll(): Promise<void> {
    await Promise.all(this.running.map((s) => s.stop()));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface SippOptions {
  /** Names the log files: <name>.messages.log, <name>.errors.log. Unique within a run. */
  name: string;
  scenario: 'register.xml' | 'phone.xml' | 'line.xml' | 'blf.xml';
  port: number;
  mediaPort?: number;
  /** Client mode: sipp sends to Asterisk and -s names the number dialled or watched. */
  client: boolean;
  service?: string;
  keys?: Record<string, string>;
  /** Stop after this many calls (-m); unset for a phone that takes calls until stopped. */
  maxCalls?: number;
  /** Answer unexpected NOTIFY, UPDATE, INFO, OPTIONS with 200 OK (-aa), as phones do. */
  autoAnswer?: boolean;
}

let callIdCounter = 0;

export class Sipp {
  readonly logFile: string;
  readonly errorFile: string;
  readonly exited: Promise<number | null>;
  /** Call-ID prefix of the calls this sipp places (client mode): <prefix>1, <prefix>2, ... */
  readonly callIdPrefix: string;
  exitCode: number | null = null;
  private readonly child: ChildProcess;
  private stderr = '';

  constructor(private readonly run: SippRun, readonly opts: SippOptions) {
    this.logFile = path.join(run.dir, `${opts.name}.messages.log`);
    this.errorFile = path.join(run.dir, `${opts.name}.errors.log`);
    this.callIdPrefix = `e2e-${opts.name}-${process.pid}-${++callIdCounter}-${Math.random().toString(36).slice(2, 8)}-`;
    const args: string[] = [];
    if (opts.client) args.push(`${run.asterisk.host}:${run.asterisk.port}`);
    args.push('-sf', path.join(run.dir, opts.scenario), '-i', '127.0.0.1', '-p', String(opts.port));
    if (opts.mediaPort) args.push('-mp', String(opts.mediaPort), '-mi', '127.0.0.1');
    if (opts.service) args.push('-s', opts.service);
    for (const [key, value] of Object.entries(opts.keys ?? {})) args.push('-key', key, value);
    if (opts.maxCalls !== undefined) args.push('-m', String(opts.maxCalls));
    if (opts.autoAnswer) args.push('-aa');
    args.push('-cid_str', `${this.callIdPrefix}%u`);
    args.push('-nostdin', '-trace_msg', '-message_file', this.logFile, '-trace_err', '-error_file', this.errorFile);
    // sipp refreshes its statistics screen on stdout every second: not wanted.
    this.child = spawn(run.sippBinary, args, { cwd: run.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (chunk) => {
      this.stderr += String(chunk);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.stderr += `\n${err.message}`;
        this.exitCode = -1;
        resolve(-1);
      });
      this.child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : null);
        resolve(this.exitCode);
      });
    });
  }

  get running(): boolean {
    return this.exitCode === null;
  }

  log(): SipLog {
    if (!existsSync(this.logFile)) return { messages: [], unexpected: [] };
    return parseSippLog(readFileSync(this.logFile, 'utf8'));
  }

  received(filter: (m: SipMessage) => boolean = () => true): SipMessage[] {
    return this.log().messages.filter((m) => m.direction === 'received' && filter(m));
  }

  sent(filter: (m: SipMessage) => boolean = () => true): SipMessage[] {
    return this.log().messages.filter((m) => m.direction === 'sent' && filter(m));
  }

  /** What this phone went through, for failure messages. */
  describe(): string {
    const log = this.log();
    const errors = existsSync(this.errorFile) ? noteworthyErrors(readFileSync(this.errorFile, 'utf8')) : '';
    return [
      `--- sipp ${this.opts.name} (${this.opts.scenario}, port ${this.opts.port}, ${this.running ? 'running' : `exited ${this.exitCode}`})`,
      summarize(log) || '(no messages)',
      log.unexpected.length ? `unexpected messages: ${log.unexpected.map((m) => m.split('\n')[0]).join(' | ')}` : '',
      errors ? `errors: ${errors.slice(-1500)}` : '',
      this.noteworthyStderr() ? `stderr: ${this.noteworthyStderr().slice(-800)}` : '',
      `log: ${this.logFile}`,
    ]
      .filter(Boolean)
      .join('\n');
  }

  /** sipp's stderr without its routine lines (pcap loaded, host resolved). */
  private noteworthyStderr(): string {
    return this.stderr
      .split('\n')
      .filter((line) => line.trim() && !/^(In pcap |max pkt length|base port|Resolving remote host)/.test(line))
      .join('\n');
  }

  /** Waits until the message log holds a message that `find` picks. */
  async waitForMessage(what: string, find: (m: SipMessage) => boolean, timeoutMs = 10_000): Promise<SipMessage> {
    return waitFor(`${this.opts.name} to see ${what}`, () => this.log().messages.find(find), {
      timeoutMs,
      detail: () => this.describe(),
    });
  }

  async waitForExit(timeoutMs = 10_000): Promise<number | null> {
    await waitFor(`sipp ${this.opts.name} to finish`, () => !this.running, { timeoutMs, detail: () => this.describe() });
    return this.exitCode;
  }

  /** The Call-ID of the n-th call this sipp placed (client mode). */
  callId(n = 1): string {
    return `${this.callIdPrefix}${n}`;
  }

  /** Sends a control request to this sipp for the call `callId` (see the file comment). */
  async control(callId: string, method: string, headers: Record<string, string> = {}): Promise<void> {
    const lines = [
      `${method} sip:control@127.0.0.1 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-control-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      'From: <sip:test@127.0.0.1>;tag=control',
      `To: <sip:phone@127.0.0.1>`,
      `Call-ID: ${callId}`,
      `CSeq: 1 ${method}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      'Content-Length: 0',
      '',
      '',
    ];
    const socket = dgram.createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) =>
        socket.send(lines.join('\r\n'), this.opts.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
    } finally {
      socket.close();
    }
  }

  /** Ends the process (SIGTERM, then SIGKILL) and waits for it. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** sipp's error log without its routine notices. */
function noteworthyErrors(text: string): string {
  return text
    .split(/(?=\d{4}-\d\d-\d\d\t)/)
    .filter((entry) => !/^The following events occurred:\s*$/.test(entry.trim()))
    .filter((entry) => !/Cannot record route set if there is no Contact|pcap files next to the scenario/.test(entry))
    .join('')
    .replace(/^The following events occurred:\s*/gm, '')
    .trim();
}

async function udpPortsFree(first: number, count: number): Promise<boolean> {
  const sockets: dgram.Socket[] = [];
  try {
    for (let port = first; port < first + count; port++) {
      const socket = dgram.createSocket('udp4');
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, '127.0.0.1', () => resolve());
      });
    }
    return true;
  } catch {
    return false;
  } finally {
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => { try { s.close(() => resolve()); } catch { resolve(); } })));
  }
}
