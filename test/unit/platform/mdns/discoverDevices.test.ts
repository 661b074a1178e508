// The querier is pointed at a responder this test runs on 127.0.0.1 (unicast): no multicast and
// no packet off loopback. The responder checks the query it gets as a device would and answers
// to the querier's port, as mDNS responders answer one-shot queries (RFC 6762 §6.7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { decodeMessage, type DnsMessage } from '../../../../src/core/mdns/dnsMessage';
import { deviceEndpointUrl, discoverDevices } from '../../../../src/platform/mdns/discoverDevices';
import { pantavisorAnswer } from '../../../support/mdnsPackets';

async function responder(
  answer: (q: DnsMessage) => Buffer[],
): Promise<{ port: number; queries: DnsMessage[]; close: () => Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  const queries: DnsMessage[] = [];
  sock.on('message', (msg, rinfo) => {
    assert.equal(rinfo.address, '127.0.0.1');
    const q = decodeMessage(msg);
    queries.push(q);
    for (const p of answer(q)) sock.send(p, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return {
    port: sock.address().port,
    queries,
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

test('discovers devices from answers of a responder on 127.0.0.1, skipping malformed packets and plain SSH hosts', async () => {
  const r = await responder((q) => {
    const asksForSsh = q.questions.some((x) => x.name === '_ssh._tcp.local' && x.type === 12);
    if (!asksForSsh) return [];
    return [
      Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0xc0]), // truncated garbage
      pantavisorAnswer({
        instance: 'pv-1',
        host: 'pv-1',
        deviceId: 'dev-1',
        address: '127.0.0.1',
        port: 8222,
      }),
      pantavisorAnswer({ instance: 'laptop', host: 'laptop', address: '127.0.0.1' }),
      pantavisorAnswer({ instance: 'pv-2', host: 'pv-2', deviceId: 'dev-2', address: '127.0.0.1' }),
    ];
  });
  const malformed: string[] = [];
  try {
    const found = await discoverDevices({
      destination: { address: '127.0.0.1', port: r.port },
      timeoutMs: 400,
      onMalformed: (from, e) => malformed.push(`${from} ${e.message}`),
    });
    assert.equal(r.queries.length, 1);
    const q = r.queries[0];
    assert.equal(q?.id, 0);
    assert.equal(q?.isResponse, false);
    assert.deepEqual(q?.questions, [{ name: '_ssh._tcp.local', type: 12, class: 1, unicastResponse: true }]);
    assert.deepEqual(
      found.map((d) => [d.deviceId, d.instance, d.host, d.port, d.addresses]),
      [
        ['dev-1', 'pv-1._ssh._tcp.local', 'pv-1.local', 8222, ['127.0.0.1']],
        ['dev-2', 'pv-2._ssh._tcp.local', 'pv-2.local', 22, ['127.0.0.1']],
      ],
    );
    assert.equal(deviceEndpointUrl(found[0]!), 'http://127.0.0.1:12368/cgi-bin/pvr');
    assert.equal(malformed.length, 1);
    assert.match(malformed[0] ?? '', /^127\.0\.0\.1:\d+ malformed DNS message at byte \d+/);
  } finally {
    await r.close();
  }
});

test('no answer: an empty list after the timeout; cancelling returns early with what was found', async () => {
  const silent = await responder(() => []);
  try {
    assert.deepEqual(
      await discoverDevices({ destination: { address: '127.0.0.1', port: silent.port }, timeoutMs: 150 }),
      [],
    );
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 100);
    const found = await discoverDevices({
      destination: { address: '127.0.0.1', port: silent.port },
      timeoutMs: 30_000,
      signal: ac.signal,
    });
    assert.deepEqual(found, []);
    assert.ok(Date.now() - t0 < 10_000, 'cancel ended the wait');
  } finally {
    await silent.close();
  }
});

test('deviceEndpointUrl brackets IPv6 addresses', () => {
  const cases: [string[], string][] = [
    [['10.0.0.2'], 'http://10.0.0.2:12368/cgi-bin/pvr'],
    [['fe80:0:0:0:1:2:3:4'], 'http://[fe80:0:0:0:1:2:3:4]:12368/cgi-bin/pvr'],
  ];
  for (const [addresses, want] of cases) {
    assert.equal(
      deviceEndpointUrl({ instance: 'i', deviceId: 'd', host: 'h.local', port: 22, addresses, txt: {} }),
      want,
    );
  }
});
