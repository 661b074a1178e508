// pvkit discover against a responder this test runs on 127.0.0.1 (unicast via --to): no
// multicast, nothing off loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { tmpdir } from 'node:os';
import { pantavisorAnswer } from '../../../support/mdnsPackets';
import { pvkitIn } from '../../../support/remoteRepo';

test('pvkit discover lists the devices a responder announces, as text and JSON; bad flags are usage errors', async () => {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (_m, r) => {
    sock.send(Buffer.from([1, 2, 3]), r.port, r.address);
    sock.send(
      pantavisorAnswer({ instance: 'pv-x', host: 'pv-x', deviceId: 'cli-dev', address: '127.0.0.1' }),
      r.port,
      r.address,
    );
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const to = `127.0.0.1:${sock.address().port}`;
  try {
    const text = await pvkitIn(tmpdir(), {}, 'discover', '--to', to, '--timeout', '0.4');
    assert.equal(text.code, 0, text.stderr);
    assert.equal(
      text.stdout,
      'cli-dev\t127.0.0.1\tpv-x._ssh._tcp.local\thttp://127.0.0.1:12368/cgi-bin/pvr\n',
    );
    assert.match(text.stderr, /skipped a packet from 127\.0\.0\.1:\d+: malformed DNS message/);
    const json = await pvkitIn(tmpdir(), {}, 'discover', '--to', to, '--timeout', '0.4', '--json');
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { deviceId: string; url: string; port: number }[];
    assert.deepEqual(
      list.map((d) => [d.deviceId, d.url, d.port]),
      [['cli-dev', 'http://127.0.0.1:12368/cgi-bin/pvr', 22]],
    );
  } finally {
    await new Promise<void>((r) => sock.close(() => r()));
  }
  const cases: [string[], RegExp][] = [
    [['--to', 'nope'], /--to nope is not ADDRESS:PORT/],
    [['--timeout', '-1'], /--timeout -1 is not a number of seconds/],
    [['extra'], /unexpected argument extra/],
  ];
  for (const [args, re] of cases) {
    const r = await pvkitIn(tmpdir(), {}, 'discover', ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re);
  }
});
