/**
 * DNS messages as mDNS uses them (RFC 1035 §4, RFC 6762): encoding of a question-only query and
 * decoding of answers with name compression, for the record types LAN discovery needs (PTR, SRV,
 * TXT, A, AAAA); other types are kept as raw bytes. Pure: bytes in, data out.
 *
 * Decoding never trusts the packet: every length and pointer is bounds-checked, compression
 * pointers must point backwards (so they cannot loop), and a malformed or truncated packet throws
 * a {@link DnsFormatError} saying where, instead of returning half a message.
 */

export const TYPE = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;
export const CLASS_IN = 1;
/** In a question: "unicast response wanted" (RFC 6762 §5.4). In a record: cache-flush (§10.2). */
export const TOP_BIT = 0x8000;

export interface DnsQuestion {
  name: string;
  type: number;
  /** The class without the top bit. */
  class: number;
  /** The QU bit of an mDNS question. */
  unicastResponse: boolean;
}

export type RecordData =
  | { type: 'PTR'; name: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'TXT'; strings: string[] }
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'other'; bytes: Uint8Array };

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  cacheFlush: boolean;
  ttl: number;
  data: RecordData;
}

export interface DnsMessage {
  id: number;
  flags: number;
  /** QR bit: a response. */
  isResponse: boolean;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

export class DnsFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`malformed DNS message at byte ${offset}: ${message}`);
  }
}

/** Labels of a dotted name; a trailing dot is ignored. Throws on an empty or over-long label. */
function labels(name: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '') return out;
  const enc = new TextEncoder();
  for (const l of trimmed.split('.')) {
    const b = enc.encode(l);
    if (b.length === 0 || b.length > 63) throw new Error(`DNS label "${l}" must be 1 to 63 bytes`);
    out.push(b);
  }
  return out;
}

/** A name in wire form (uncompressed). */
export function encodeName(name: string): Uint8Array {
  const parts = labels(name);
  const len = parts.reduce((n, p) => n + 1 + p.length, 1);
  if (len > 255) throw new Error(`DNS name ${name} is longer than 255 bytes`);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out[o++] = p.length;
    out.set(p, o);
    o += p.length;
  }
  out[o] = 0;
  return out;
}

/**
 * A query with the given questions (id 0 and no flags, as mDNS queries are, RFC 6762 §18). With
 * `unicastResponse` the QU bit asks responders to answer the sender directly.
 */
export function encodeQuery(
  questions: readonly { name: string; type: number; unicastResponse?: boolean }[],
  id = 0,
): Uint8Array {
  const parts = questions.map((q) => {
    const n = encodeName(q.name);
    const b = new Uint8Array(n.length + 4);
    b.set(n);
    const v = new DataView(b.buffer);
    v.setUint16(n.length, q.type);
    v.setUint16(n.length + 2, CLASS_IN | (q.unicastResponse ? TOP_BIT : 0));
    return b;
  });
  const out = new Uint8Array(12 + parts.reduce((n, p) => n + p.length, 0));
  const v = new DataView(out.buffer);
  v.setUint16(0, id);
  v.setUint16(4, questions.length);
  let o = 12;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

class Reader {
  private readonly view: DataView;
  pos = 0;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number, what: string): void {
    if (this.pos + n > this.buf.length)
      throw new DnsFormatError(`${what} needs ${n} byte(s) but the message ends`, this.pos);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /**
   * A possibly compressed name. A pointer must target a byte before the start of the name (or of
   * the part reached by the previous pointer): legitimate compression only refers to names
   * written earlier, and the strictly decreasing targets rule out loops. The name may not exceed
   * 255 bytes.
   */
  name(): string {
    const dec = new TextDecoder('utf-8', { fatal: false });
    const parts: string[] = [];
    let p = this.pos;
    let end = -1; // where reading continues after the first pointer
    let limit = p; // pointers must target bytes before this
    let length = 1;
    for (;;) {
      if (p >= this.buf.length) throw new DnsFormatError('name runs past the end', p);
      const len = this.buf[p] ?? 0;
      if ((len & 0xc0) === 0xc0) {
        if (p + 1 >= this.buf.length) throw new DnsFormatError('truncated compression pointer', p);
        const target = ((len & 0x3f) << 8) | (this.buf[p + 1] ?? 0);
        if (target >= limit)
          throw new DnsFormatError(
            `compression pointer to ${target} does not point back before ${limit} (a loop or a forward pointer)`,
            p,
          );
        if (end < 0) end = p + 2;
        p = limit = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new DnsFormatError(`reserved label type 0x${len.toString(16)}`, p);
      if (len === 0) {
        p++;
        break;
      }
      if (p + 1 + len > this.buf.length)
        throw new DnsFormatError(`label of ${len} bytes runs past the end`, p);
      length += len + 1;
      if (length > 255) throw new DnsFormatError('name is longer than 255 bytes', p);
      parts.push(dec.decode(this.buf.subarray(p + 1, p + 1 + len)));
      p += 1 + len;
    }
    this.pos = end >= 0 ? end : p;
    return parts.join('.');
  }
}

function readRecord(r: Reader): DnsRecord {
  const name = r.name();
  const type = r.u16('record type');
  const cls = r.u16('record class');
  const ttl = r.u32('record TTL');
  const rdlength = r.u16('record data length');
  const start = r.pos;
  r.need(rdlength, `data of ${name}`);
  const end = start + rdlength;
  let data: RecordData;
  const inData = <T>(f: () => T): T => {
    const v = f();
    if (r.pos > end) throw new DnsFormatError(`data of ${name} is longer than its length ${rdlength}`, start);
    return v;
  };
  switch (type) {
    case TYPE.PTR:
      data = { type: 'PTR', name: inData(() => r.name()) };
      break;
    case TYPE.SRV:
      data = inData(() => ({
        type: 'SRV' as const,
        priority: r.u16('SRV priority'),
        weight: r.u16('SRV weight'),
        port: r.u16('SRV port'),
        target: r.name(),
      }));
      break;
    case TYPE.TXT: {
      const strings: string[] = [];
      const dec = new TextDecoder('utf-8', { fatal: false });
      while (r.pos < end) {
        const n = r.u8('TXT string length');
        if (r.pos + n > end)
          throw new DnsFormatError(`TXT string of ${n} bytes runs past its record`, r.pos - 1);
        const s = r.bytes(n, 'TXT string');
        if (n > 0) strings.push(dec.decode(s));
      }
      data = { type: 'TXT', strings };
      break;
    }
    case TYPE.A:
      if (rdlength !== 4) throw new DnsFormatError(`A record of ${name} has ${rdlength} bytes, not 4`, start);
      data = { type: 'A', address: Array.from(r.bytes(4, 'A address')).join('.') };
      break;
    case TYPE.AAAA: {
      if (rdlength !== 16)
        throw new DnsFormatError(`AAAA record of ${name} has ${rdlength} bytes, not 16`, start);
      const b = r.bytes(16, 'AAAA address');
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
      data = { type: 'AAAA', address: groups.join(':') };
      break;
    }
    default:
      data = { type: 'other', bytes: Uint8Array.from(r.bytes(rdlength, `data of ${name}`)) };
  }
  // Names inside the data may be compressed to fewer bytes than the data length says; the next
  // record starts where the length says.
  r.pos = end;
  return { name, type, class: cls & ~TOP_BIT, cacheFlush: (cls & TOP_BIT) !== 0, ttl, data };
}

/** Decodes a whole message; throws {@link DnsFormatError} on anything malformed or truncated. */
export function decodeMessage(buf: Uint8Array): DnsMessage {
  const r = new Reader(buf);
  const id = r.u16('header id');
  const flags = r.u16('header flags');
  const counts = [
    r.u16('question count'),
    r.u16('answer count'),
    r.u16('authority count'),
    r.u16('additional count'),
  ];
  const [qd = 0, an = 0, ns = 0, ar = 0] = counts;
  // Each question takes at least 5 bytes and each record 11: reject absurd counts up front.
  if (qd * 5 + (an + ns + ar) * 11 > buf.length - 12)
    throw new DnsFormatError(`counts (${counts.join(', ')}) do not fit in ${buf.length} bytes`, 4);
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qd; i++) {
    const name = r.name();
    const type = r.u16('question type');
    const cls = r.u16('question class');
    questions.push({ name, type, class: cls & ~TOP_BIT, unicastResponse: (cls & TOP_BIT) !== 0 });
  }
  const records = (n: number): DnsRecord[] => Array.from({ length: n }, () => readRecord(r));
  const answers = records(an);
  const authorities = records(ns);
  const additionals = records(ar);
  return { id, flags, isResponse: (flags & 0x8000) !== 0, questions, answers, authorities, additionals };
}

/** A Pantavisor device found on the LAN. */
export interface DiscoveredDevice {
  /** The service instance (`pv-1234._ssh._tcp.local`). */
  instance: string;
  /** The `device-id=` value of its TXT record. */
  deviceId: string;
  host: string;
  /** The SSH port from the SRV record. */
  port: number;
  /** IPv4 addresses first, then IPv6. */
  addresses: string[];
  txt: Record<string, string>;
}

/** The service Pantavisor devices announce (pvr-sdk's SSH, with `device-id=` in TXT). */
export const PANTAVISOR_SERVICE = '_ssh._tcp.local';

const lower = (s: string): string => s.toLowerCase();

/**
 * Devices described by the records of one or more responses: every `PTR <service>` instance whose
 * TXT has `device-id=` and whose SRV target has an address. Names compare case-insensitively (DNS
 * rule). Instances without a device-id (other SSH hosts) are not Pantavisor devices and are left
 * out; a device seen twice is merged by device-id.
 */
export function devicesFromRecords(
  records: readonly DnsRecord[],
  service = PANTAVISOR_SERVICE,
): DiscoveredDevice[] {
  const srv = new Map<string, Extract<RecordData, { type: 'SRV' }>>();
  const txt = new Map<string, string[]>();
  const addrs = new Map<string, string[]>();
  const instances: string[] = [];
  for (const rec of records) {
    const key = lower(rec.name);
    const d = rec.data;
    if (d.type === 'PTR' && key === lower(service) && !instances.includes(lower(d.name)))
      instances.push(lower(d.name));
    else if (d.type === 'SRV') srv.set(key, d);
    else if (d.type === 'TXT') txt.set(key, [...(txt.get(key) ?? []), ...d.strings]);
    else if (d.type === 'A' || d.type === 'AAAA') {
      const list = addrs.get(key) ?? [];
      if (!list.includes(d.address)) list.push(d.address);
      addrs.set(key, list);
    }
  }
  const out = new Map<string, DiscoveredDevice>();
  for (const inst of instances) {
    const s = srv.get(inst);
    const kv: Record<string, string> = {};
    for (const t of txt.get(inst) ?? []) {
      const eq = t.indexOf('=');
      // RFC 6763 §6.4: the first occurrence of a key wins; a key without '=' is a boolean.
      const k = lower(eq < 0 ? t : t.slice(0, eq));
      if (k && !(k in kv)) kv[k] = eq < 0 ? '' : t.slice(eq + 1);
    }
    const deviceId = kv['device-id'];
    if (!s || !deviceId) continue;
    const list = addrs.get(lower(s.target)) ?? [];
    const addresses = [...list.filter((a) => !a.includes(':')), ...list.filter((a) => a.includes(':'))];
    if (!addresses.length) continue;
    const prev = out.get(deviceId);
    if (prev) {
      for (const a of addresses) if (!prev.addresses.includes(a)) prev.addresses.push(a);
      continue;
    }
    out.set(deviceId, { instance: inst, deviceId, host: s.target, port: s.port, addresses, txt: kv });
  }
  return [...out.values()];
}
