/**
 * Writes classic pcap files of RTP for sipp's `<exec play_pcap_audio="...">`: sipp sends each
 * packet's UDP payload from the phone's media port to the far end's SDP address (ports are
 * rewritten, the RTP header is sent as is), paced by the capture's timestamps.
 */
import { writeFileSync } from 'node:fs';

const ETHERTYPE_IPV4 = 0x0800;
const PACKET_MS = 20;
const SAMPLES_PER_PACKET = 160;

/** G.711 mu-law encoding of one 16-bit linear sample. */
export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let s = Math.max(-CLIP, Math.min(CLIP, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function rtpPacket(payloadType: number, seq: number, timestamp: number, ssrc: number, payload: Buffer, marker = false): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80; // version 2, no padding, no extension, no CSRC
  header[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([header, payload]);
}

/** Ethernet + IPv4 + UDP framing around an RTP packet (addresses and ports are rewritten by sipp). */
function frame(rtp: Buffer): Buffer {
  const udpLength = 8 + rtp.length;
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(ETHERTYPE_IPV4, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + udpLength, 2);
  ip[8] = 64; // TTL
  ip[9] = 17; // UDP
  ip.writeUInt32BE(0x7f000001, 12);
  ip.writeUInt32BE(0x7f000001, 16);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(6000, 0);
  udp.writeUInt16BE(6000, 2);
  udp.writeUInt16BE(udpLength, 4);
  return Buffer.concat([eth, ip, udp, rtp]);
}

function pcapFile(packets: Array<{ atMs: number; data: Buffer }>): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16); // snaplen
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const records = packets.map(({ atMs, data }) => {
    const header = Buffer.alloc(16);
    header.writeUInt32LE(Math.floor(atMs / 1000), 0);
    header.writeUInt32LE((atMs % 1000) * 1000, 4);
    header.writeUInt32LE(data.length, 8);
    header.writeUInt32LE(data.length, 12);
    return Buffer.concat([header, data]);
  });
  return Buffer.concat([global, ...records]);
}

/**
 * `seconds` of a 440 Hz tone in PCMU (payload type 0), 20 ms per packet: what a phone sends
 * while its user talks, so that Asterisk has media to relay and count.
 */
export function writeTonePcap(file: string, seconds: number, ssrc = 0x5eed0001): void {
  const packets: Array<{ atMs: number; data: Buffer }> = [];
  const count = Math.round((seconds * 1000) / PACKET_MS);
  for (let i = 0; i < count; i++) {
    const payload = Buffer.alloc(SAMPLES_PER_PACKET);
    for (let n = 0; n < SAMPLES_PER_PACKET; n++) {
      const t = (i * SAMPLES_PER_PACKET + n) / 8000;
      payload[n] = linearToUlaw(6000 * Math.sin(2 * Math.PI * 440 * t));
    }
    packets.push({ atMs: i * PACKET_MS, data: frame(rtpPacket(0, 1000 + i, i * SAMPLES_PER_PACKET, ssrc, payload, i === 0)) });
  }
  writeFileSync(file, pcapFile(packets));
}
