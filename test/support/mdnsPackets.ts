/**
 * Builds DNS messages byte by byte for tests, independently of src/core/mdns (so the decoder is
 * checked against packets it did not write): RFC 1035 wire format, with name compression done the
 * way responders do it (a pointer to the earliest copy of the longest known suffix).
 */
export class PacketBuilder {
  readonly bytes: number[] = [];
  private readonly suffixes = new Map<string, number>();

  header(o: { id?: number; flags?: number; qd?: number; an?: number; ns?: number; ar?: number }): this {
    for (const v of [o.id ?? 0, o.flags ?? 0x8400, o.qd ?? 0, o.an ?? 0, o.ns ?? 0, o.ar ?? 0]) this.u16(v);
    return this;
  }

  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    return this.u8(v >> 8).u8(v);
  }

  u32(v: number): this {
    return this.u16(Math.floor(v / 65536)).u16(v % 65536);
  }

  raw(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }

  /** A name; with `compress`, the longest suffix written before becomes a pointer. */
  name(name: string, compress = true): this {
    const labels = name.split('.').filter(Boolean);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.suffixes.get(suffix);
      if (compress && at !== undefined) return this.u16(0xc000 | at);
      if (!this.suffixes.has(suffix) && this.bytes.length < 0x3fff)
        this.suffixes.set(suffix, this.bytes.length);
      const b = Buffer.from(labels[i] ?? '', 'utf8');
      this.u8(b.length).raw(...b);
    }
    return this.u8(0);
  }

  question(name: string, type: number, cls = 1): this {
    return this.name(name).u16(type).u16(cls);
  }

  /** A record; `data` writes the RDATA, whose length is patched in afterwards. */
  record(name: string, type: number, data: (b: this) => void, o: { ttl?: number; cls?: number } = {}): this {
    this.name(name)
      .u16(type)
      .u16(o.cls ?? 0x8001)
      .u32(o.ttl ?? 120);
    const lenAt = this.bytes.length;
    this.u16(0);
    data(this);
    const len = this.bytes.length - lenAt - 2;
    this.bytes[lenAt] = len >> 8;
    this.bytes[lenAt + 1] = len & 0xff;
    return this;
  }

  ptr(owner: string, target: string): this {
    return this.record(owner, 12, (b) => b.name(target));
  }

  srv(owner: string, port: number, target: string): this {
    return this.record(owner, 33, (b) => b.u16(0).u16(0).u16(port).name(target));
  }

  txt(owner: string, ...strings: string[]): this {
    return this.record(owner, 16, (b) => {
      for (const s of strings) {
        const x = Buffer.from(s, 'utf8');
        b.u8(x.length).raw(...x);
      }
    });
  }

  a(owner: string, address: string): this {
    return this.record(owner, 1, (b) => b.raw(...address.split('.').map(Number)));
  }

  aaaa(owner: string, groups: number[]): this {
    return this.record(owner, 28, (b) => {
      for (const g of groups) b.u16(g);
    });
  }

  build(): Buffer {
    return Buffer.from(this.bytes);
  }
}

/**
 * A typical answer of a Pantavisor device to `PTR _ssh._tcp.local`: the PTR in the answers, SRV,
 * TXT (with device-id) and A/AAAA in the additionals, names compressed.
 */
export function pantavisorAnswer(o: {
  instance: string;
  host: string;
  deviceId?: string;
  address: string;
  port?: number;
  id?: number;
}): Buffer {
  const inst = `${o.instance}._ssh._tcp.local`;
  const host = `${o.host}.local`;
  return new PacketBuilder()
    .header({ id: o.id ?? 0, an: 1, ar: 3 })
    .ptr('_ssh._tcp.local', inst)
    .srv(inst, o.port ?? 22, host)
    .txt(inst, ...(o.deviceId ? [`device-id=${o.deviceId}`, 'pvr-sdk=1'] : ['board=other']))
    .a(host, o.address)
    .build();
}
