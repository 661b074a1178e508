import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const GUARD = pathToFileURL(resolve(__dirname, '../../support/loopbackOnly.mjs')).href;

// The child replaces the real connect/send/lookup with recorders BEFORE it loads the guard, so that
// nothing can leave the machine even if the guard were broken; the guard then wraps the recorders.
const SCRIPT = `
import net from 'node:net';
import dgram from 'node:dgram';
import dns from 'node:dns';
const seen = [];
net.Socket.prototype.connect = function (...a) {
  const o = Array.isArray(a[0]) ? a[0][0] : a[0];
  seen.push('tcp ' + (typeof o === 'object' ? (o.path || o.host + ':' + o.port) : a.join(':')));
  return this;
};
dgram.Socket.prototype.send = function (...a) { seen.push('udp ' + a.filter((x) => typeof x === 'string').join()); };
dns.lookup = function (host, ...rest) { seen.push('dns ' + host); };
await import(${JSON.stringify(GUARD)});
const http = await import('node:http');
const errors = [];
const note = (e) => errors.push(e.code);
http.get('http://192.0.2.1/v2/').on('error', note);
http.get('http://registry.invalid/v2/').on('error', note);
http.get('http://127.0.0.1:9/x').on('error', note);
http.get({ socketPath: '/run/x.sock', path: '/' }).on('error', note);
net.connect(9, '::1').on('error', note);
const s = dgram.createSocket('udp4');
s.send(Buffer.from('q'), 5353, '224.0.0.251', (e) => note(e));
s.send(Buffer.from('q'), 5353, '127.0.0.1');
dns.lookup('example.invalid', (e) => note(e));
dns.lookup('localhost', () => {});
dns.lookup('0.0.0.0', () => {});
setTimeout(() => { console.log(JSON.stringify({ seen, errors })); process.exit(0); }, 300);
`;

test('the test network guard refuses everything but loopback, before anything is sent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvkit-guard-'));
  try {
    const script = join(dir, 'probe.mjs');
    const log = join(dir, 'guard.log');
    writeFileSync(script, SCRIPT);
    const env: NodeJS.ProcessEnv = { ...process.env, PVKIT_NET_GUARD_LOG: log };
    delete env['NODE_OPTIONS'];
    const r = spawnSync(process.execPath, [script], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const { seen, errors } = JSON.parse(r.stdout) as { seen: string[]; errors: string[] };
    assert.deepEqual(seen.sort(), [
      'dns 0.0.0.0',
      'dns localhost',
      'tcp ' + '/run/x.sock',
      'tcp 127.0.0.1:9',
      'tcp ::1:9',
      'udp 127.0.0.1',
    ]);
    // (the recorders never connect, so loopback requests may end as closed sockets: only refusals count)
    assert.equal(errors.filter((c) => c === 'ECONNREFUSED').length, 4, errors.join());
    const logged = readFileSync(log, 'utf8');
    for (const what of [
      '192.0.2.1:80',
      'registry.invalid:80',
      'UDP datagram to 224.0.0.251',
      'name lookup of example.invalid',
    ]) {
      assert.ok(logged.includes(what), `${what} is in the guard's log:\n${logged}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
