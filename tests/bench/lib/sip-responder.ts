/**
 * The parker's phone for the real-Asterisk bench, reduced to what the service needs from it:
 * a registered contact for endpoint "bench" that answers every request (the service's SIP
 * MESSAGE "call parked on ...") with 200 OK. Plain UDP; loopback only.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

export interface SipResponder {
  port: number;
  /** Requests answered, by method. */
  received: Map<string, number>;
  stop(): Promise<void>;
}

export async function startSipResponder(o: { sip: string; user: string; localIp: string }): Promise<SipResponder> {
  const [host, portText] = o.sip.split(':');
  const asteriskPort = Number(portText || 5060);
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, o.localIp, () => resolve()));
  const port = socket.address().port;
  const received = new Map<string, number>();
  let registered: ((status: number) => void) | null = null;

  socket.on('message', (buf, rinfo) => {
    const text = buf.toString('utf8');
    const [first] = text.split('\r\n');
    if (first.startsWith('SIP/2.0 ')) {
      if (/^CSeq:\s*\d+ REGISTER/im.test(text)) registered?.(Number(first.split(' ')[1]));
      return;
    }
    const method = first.split(' ')[0];
    received.set(method, (received.get(method) ?? 0) + 1);
    if (method === 'ACK') return;
    const headers = text.split('\r\n\r\n')[0].split('\r\n').slice(1);
    const keep = headers.filter((h) => /^(Via|v|From|f|Call-ID|i|CSeq):/i.test(h));
    const to = headers.find((h) => /^(To|t):/i.test(h)) ?? '';
    const reply = ['SIP/2.0 200 OK', ...keep, /;tag=/.test(to) ? to : `${to};tag=${randomBytes(4).toString('hex')}`, 'Content-Length: 0', '', ''].join('\r\n');
    socket.send(reply, rinfo.port, rinfo.address);
  });

  const register = (expires: number) =>
    new Promise<void>((resolve, reject) => {
      const callId = `${randomBytes(8).toString('hex')}@${o.localIp}`;
      const msg = [
        `REGISTER sip:${host}:${asteriskPort} SIP/2.0`,
        `Via: SIP/2.0/UDP ${o.localIp}:${port};branch=z9hG4bK-${randomBytes(6).toString('hex')};rport`,
        'Max-Forwards: 70',
        `From: <sip:${o.user}@${host}>;tag=${randomBytes(4).toString('hex')}`,
        `To: <sip:${o.user}@${host}>`,
        `Call-ID: ${callId}`,
        'CSeq: 1 REGISTER',
        `Contact: <sip:${o.user}@${o.localIp}:${port}>`,
        `Expires: ${expires}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      const timer = setTimeout(() => reject(new Error(`REGISTER of ${o.user} not answered`)), 5000);
      registered = (status) => {
        if (status < 200) return;
        clearTimeout(timer);
        registered = null;
        if (status >= 300) reject(new Error(`REGISTER of ${o.user} answered ${status}`));
        else resolve();
      };
      socket.send(msg, asteriskPort, host);
    });

  await register(600);
  return {
    port,
    received,
    async stop() {
      await register(0).catch(() => undefined);
      socket.close();
    },
  };
}
