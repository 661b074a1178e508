// The test network guard, preloaded into every Node process the tests start (scripts/test.mjs puts
// it in NODE_OPTIONS): tests may only talk to 127.0.0.1 / ::1 / localhost and Unix sockets. Any other
// TCP connection, UDP datagram or name lookup is refused before it leaves the machine, fails like a refused
// connection, and is written to PVKIT_NET_GUARD_LOG so that the run counts it as a failure.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const LOG = process.env.PVKIT_NET_GUARD_LOG;

function isLoopback(host) {
  if (host === undefined || host === null || host === '') return true; // Node's default is localhost
  const h = String(host)
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || /^::ffff:127\./.test(h);
}

function refuse(what) {
  const message = `network guard: ${what} refused: tests may only reach 127.0.0.1 (pid ${process.pid}, ${process.argv.slice(1, 3).join(' ')})`;
  process.stderr.write(`\n!!! ${message}\n`);
  if (LOG) {
    try {
      appendFileSync(LOG, `${message}\n`);
    } catch {
      // the log is best effort; the refusal itself is what protects the network
    }
  }
  return Object.assign(new Error(message), { code: 'ECONNREFUSED' });
}

/** host and port of a net.Socket#connect call, or undefined for a Unix socket. */
function target(args) {
  let a = args[0];
  if (Array.isArray(a)) a = a[0]; // Node's internal normalized form [options, callback]
  if (a && typeof a === 'object') return a.path ? undefined : { host: a.host, port: a.port }; // http passes path: null
  if (typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a))) {
    return { host: typeof args[1] === 'string' ? args[1] : undefined, port: a };
  }
  return undefined; // a path
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const t = target(args);
  if (t && !isLoopback(t.host)) {
    const err = refuse(`TCP connection to ${t.host}:${t.port}`);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return connect.apply(this, args);
};

const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function guardedSend(...args) {
  const address = args.find((x, i) => i > 0 && typeof x === 'string');
  if (address !== undefined && !isLoopback(address)) {
    const err = refuse(`UDP datagram to ${address}`);
    const cb = args.findLast((x) => typeof x === 'function');
    if (cb) process.nextTick(cb, err);
    else process.nextTick(() => this.emit('error', err));
    return;
  }
  return send.apply(this, args);
};

// A name lookup is a datagram to the resolver: only loopback names may be looked up. An address
// literal (a bind to 0.0.0.0, a connect to 127.0.0.1) is not looked up and sends nothing.
const lookup = dns.lookup;
dns.lookup = function guardedLookup(host, ...rest) {
  if (!isLoopback(host) && !net.isIP(String(host))) {
    const err = refuse(`name lookup of ${host}`);
    const cb = rest.findLast((x) => typeof x === 'function');
    if (cb) process.nextTick(cb, err);
    return {};
  }
  return lookup.call(this, host, ...rest);
};
const lookupAsync = dns.promises.lookup;
dns.promises.lookup = async function guardedLookupAsync(host, ...rest) {
  if (!isLoopback(host) && !net.isIP(String(host))) throw refuse(`name lookup of ${host}`);
  return lookupAsync.call(this, host, ...rest);
};
