import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DnsFormatError,
  TYPE,
  decodeMessage,
  devicesFromRecords,
  encodeName,
  encodeQuery,
  type DnsRecord,
} from '../../../../src/core/mdns/dnsMessage';
import { PacketBuilder, pantavisorAnswer } from '../../../support/mdnsPackets';

test('encodeQuery writes the mDNS question for PTR _ssh._tcp.local with the QU bit, byte for byte', () => {
  const q = Buffer.from(encodeQuery([{ name: '_ssh._tcp.local', type: TYPE.PTR, unicastResponse: true }]));
  const want = Buffer.from([
    ...[0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], // id 0, flags 0, one question
    4,
    ...Buffer.from('_ssh'),
    4,
    ...Buffer.from('_tcp'),
    5,
    ...Buffer.from('local'),
    0,
    0,
    12, // PTR
    0x80,
    1, // QU + IN
  ]);
  assert.deepEqual(q, want);
  const back = decodeMessage(q);
  assert.deepEqual(back.questions, [{ name: '_ssh._tcp.local', type: 12, class: 1, unicastResponse: true }]);
  assert.equal(back.isResponse, false);
});

test('encodeName rejects labels that DNS cannot carry', () => {
  const cases: [string, RegExp | Buffer][] = [
    ['a.b', Buffer.from([1, 97, 1, 98, 0])],
    ['a.b.', Buffer.from([1, 97, 1, 98, 0])],
    ['', Buffer.from([0])],
    ['a..b', /1 to 63 bytes/],
    [`${'x'.repeat(64)}.local`, /1 to 63 bytes/],
    [Array.from({ length: 60 }, () => 'abcd').join('.'), /longer than 255/],
  ];
  for (const [name, want] of cases) {
    if (want instanceof RegExp) assert.throws(() => encodeName(name), want, name);
    else assert.deepEqual(Buffer.from(encodeName(name)), want, name);
  }
});

test('decodes a device answer with compressed names: PTR, SRV, TXT, A, AAAA', () => {
  const inst = 'pv-ab12._ssh._tcp.local';
  const pkt = new PacketBuilder()
    .header({ id: 0, an: 1, ar: 4 })
    .ptr('_ssh._tcp.local', inst)
    .srv(inst, 8222, 'pv-ab12.local')
    .txt(inst, 'device-id=5f3a9c', 'pvr-sdk', '')
    .a('pv-ab12.local', '192.168.1.20')
    .aaaa('pv-ab12.local', [0xfe80, 0, 0, 0, 0x1, 0x2, 0x3, 0x4])
    .build();
  // The builder compressed: each name is written out once, later ones are pointers.
  assert.equal(pkt.indexOf('_ssh'), pkt.lastIndexOf('_ssh'));
  const m = decodeMessage(pkt);
  assert.equal(m.isResponse, true);
  const simple = [...m.answers, ...m.additionals].map((r) => [r.name, r.data]);
  assert.deepEqual(simple, [
    ['_ssh._tcp.local', { type: 'PTR', name: inst }],
    [inst, { type: 'SRV', priority: 0, weight: 0, port: 8222, target: 'pv-ab12.local' }],
    [inst, { type: 'TXT', strings: ['device-id=5f3a9c', 'pvr-sdk'] }],
    ['pv-ab12.local', { type: 'A', address: '192.168.1.20' }],
    ['pv-ab12.local', { type: 'AAAA', address: 'fe80:0:0:0:1:2:3:4' }],
  ]);
  assert.equal(m.answers[0]?.cacheFlush, true);
  assert.equal(m.answers[0]?.class, 1);
  assert.equal(m.answers[0]?.ttl, 120);
  assert.deepEqual(devicesFromRecords([...m.answers, ...m.additionals]), [
    {
      instance: inst,
      deviceId: '5f3a9c',
      host: 'pv-ab12.local',
      port: 8222,
      addresses: ['192.168.1.20', 'fe80:0:0:0:1:2:3:4'],
      txt: { 'device-id': '5f3a9c', 'pvr-sdk': '' },
    },
  ]);
});

test('unknown record types are kept raw and skipped by their length', () => {
  const pkt = new PacketBuilder()
    .header({ an: 2 })
    .record('x.local', 47, (b) => b.raw(1, 2, 3)) // NSEC
    .a('x.local', '10.0.0.1')
    .build();
  const m = decodeMessage(pkt);
  assert.deepEqual(m.answers[0]?.data, { type: 'other', bytes: new Uint8Array([1, 2, 3]) });
  assert.deepEqual(m.answers[1]?.data, { type: 'A', address: '10.0.0.1' });
});

test('every truncation of a valid answer is rejected as malformed, never half-decoded', () => {
  const pkt = pantavisorAnswer({ instance: 'pv-1', host: 'pv-1', deviceId: 'abc', address: '10.1.2.3' });
  assert.doesNotThrow(() => decodeMessage(pkt));
  for (let n = 0; n < pkt.length; n++) {
    assert.throws(() => decodeMessage(pkt.subarray(0, n)), DnsFormatError, `prefix of ${n} bytes`);
  }
});

test('malformed packets are rejected with the reason and the offset', () => {
  const hdr = (o: Parameters<PacketBuilder['header']>[0]) => new PacketBuilder().header(o);
  const cases: [string, Buffer, RegExp][] = [
    [
      'pointer to itself',
      hdr({ an: 1 }).raw(0xc0, 12).u16(1).u16(1).u32(1).u16(4).raw(1, 2, 3, 4).build(),
      /does not point back/,
    ],
    [
      'forward pointer',
      hdr({ an: 1 }).raw(0xc0, 40).u16(1).u16(1).u32(1).u16(4).raw(1, 2, 3, 4).build(),
      /does not point back/,
    ],
    [
      'pointer loop between two names',
      // name at 12: label "a" then pointer to 12 (itself, via the label): points back but loops
      hdr({ an: 1 }).raw(1, 97, 0xc0, 12).u16(1).u16(1).u32(1).u16(4).raw(1, 2, 3, 4).build(),
      /does not point back/,
    ],
    [
      'reserved label type 0x40',
      hdr({ an: 1 }).raw(0x41, 97, 0).u16(1).u16(1).u32(1).u16(4).raw(1, 2, 3, 4).build(),
      /reserved label type/,
    ],
    ['label past the end', hdr({ qd: 1 }).raw(30, 97, 98).build(), /runs past the end|do not fit/],
    [
      'name longer than 255 bytes',
      hdr({ qd: 1 })
        .raw(...Array.from({ length: 5 }, () => [63, ...new Array<number>(63).fill(97)]).flat(), 0)
        .u16(1)
        .u16(1)
        .build(),
      /longer than 255/,
    ],
    [
      'record data past the end',
      hdr({ an: 1 }).name('x.local').u16(1).u16(1).u32(1).u16(40).raw(1, 2, 3, 4).build(),
      /ends/,
    ],
    [
      'A record of 5 bytes',
      hdr({ an: 1 }).name('x.local').u16(1).u16(1).u32(1).u16(5).raw(1, 2, 3, 4, 5).build(),
      /not 4/,
    ],
    [
      'AAAA record of 4 bytes',
      hdr({ an: 1 }).name('x.local').u16(28).u16(1).u32(1).u16(4).raw(1, 2, 3, 4).build(),
      /not 16/,
    ],
    [
      'TXT string past its record',
      hdr({ an: 2 })
        .name('x.local')
        .u16(16)
        .u16(1)
        .u32(1)
        .u16(3)
        .raw(5, 97, 98)
        .a('y.local', '1.2.3.4')
        .build(),
      /TXT string of 5 bytes/,
    ],
    [
      'SRV target past its record length',
      hdr({ an: 1 }).name('x.local').u16(33).u16(1).u32(1).u16(6).u16(0).u16(0).u16(22).raw(1, 97, 0).build(),
      /longer than its length/,
    ],
    ['counts that cannot fit', hdr({ an: 60000 }).build(), /do not fit/],
    ['header cut short', Buffer.from([0, 0, 0x84]), /header flags/],
  ];
  for (const [what, pkt, re] of cases) {
    assert.throws(
      () => decodeMessage(pkt),
      (e: unknown) => e instanceof DnsFormatError && re.test(e.message) && Number.isInteger(e.offset),
      what,
    );
  }
});

test('devicesFromRecords keeps only Pantavisor devices with an address, merging by device-id', () => {
  const recs = (...pkts: Buffer[]): DnsRecord[] =>
    pkts.flatMap((p) => {
      const m = decodeMessage(p);
      return [...m.answers, ...m.additionals];
    });
  const dev = (o: Parameters<typeof pantavisorAnswer>[0]) => pantavisorAnswer(o);
  const cases: [string, DnsRecord[], [string, string[]][]][] = [
    [
      'one device',
      recs(dev({ instance: 'a', host: 'a', deviceId: 'id-a', address: '10.0.0.2' })),
      [['id-a', ['10.0.0.2']]],
    ],
    [
      'an SSH host without device-id is not a device',
      recs(dev({ instance: 'b', host: 'b', address: '10.0.0.3' })),
      [],
    ],
    [
      'two devices, one announced twice with another address',
      recs(
        dev({ instance: 'a', host: 'a', deviceId: 'id-a', address: '10.0.0.2' }),
        dev({ instance: 'c', host: 'c', deviceId: 'id-c', address: '10.0.0.4' }),
        dev({ instance: 'a', host: 'a', deviceId: 'id-a', address: '10.0.0.5' }),
      ),
      [
        ['id-a', ['10.0.0.2', '10.0.0.5']],
        ['id-c', ['10.0.0.4']],
      ],
    ],
    [
      'names compare case-insensitively',
      recs(
        new PacketBuilder()
          .header({ an: 4 })
          .ptr('_SSH._tcp.local', 'Pv._ssh._tcp.local')
          .srv('pv._SSH._tcp.local', 22, 'PV.local')
          .txt('PV._ssh._tcp.local', 'Device-ID=x1')
          .a('pv.LOCAL', '10.9.9.9')
          .build(),
      ),
      [['x1', ['10.9.9.9']]],
    ],
    [
      'no address for the SRV target: not listed',
      recs(
        new PacketBuilder()
          .header({ an: 3 })
          .ptr('_ssh._tcp.local', 'n._ssh._tcp.local')
          .srv('n._ssh._tcp.local', 22, 'n.local')
          .txt('n._ssh._tcp.local', 'device-id=n')
          .build(),
      ),
      [],
    ],
    [
      'the first device-id in TXT wins',
      recs(
        new PacketBuilder()
          .header({ an: 4 })
          .ptr('_ssh._tcp.local', 'd._ssh._tcp.local')
          .srv('d._ssh._tcp.local', 22, 'd.local')
          .txt('d._ssh._tcp.local', 'device-id=first', 'device-id=second')
          .a('d.local', '10.0.0.7')
          .build(),
      ),
      [['first', ['10.0.0.7']]],
    ],
  ];
  for (const [what, records, want] of cases) {
    assert.deepEqual(
      devicesFromRecords(records).map((d) => [d.deviceId, d.addresses]),
      want,
      what,
    );
  }
});
