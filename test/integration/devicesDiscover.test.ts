// "Discover Devices on the LAN" in real VS Code: the command's mDNS query is sent to a responder
// this test runs on 127.0.0.1 (unicast; nothing multicast, nothing off loopback), and the device
// it announces (_ssh._tcp with device-id) appears as a target in the Devices view.
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as vscode from 'vscode';
import { activatedCtx, setLocalEndpoint } from './util';
import type { Ctx } from '../../src/vscode/ctx';
import type { Target } from '../../src/vscode/devices/DeviceTargets';
import type { DevicesTreeProvider } from '../../src/vscode/views/DevicesTreeProvider';
import { pantavisorAnswer } from '../support/mdnsPackets';

suite('Devices: discover on the LAN', function () {
  this.timeout(60_000);
  let ctx: Ctx;
  let sock: dgram.Socket;
  let queries = 0;

  suiteSetup(async function () {
    ctx = await activatedCtx();
    sock = dgram.createSocket('udp4');
    sock.on('message', (_msg, rinfo) => {
      queries++;
      sock.send(
        pantavisorAnswer({
          instance: 'pv-lab',
          host: 'pv-lab',
          deviceId: 'it-device-1',
          address: '127.0.0.1',
        }),
        rinfo.port,
        rinfo.address,
      );
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    // The default local endpoint has the same URL as the announced device: hide it for this test.
    await setLocalEndpoint('');
  });

  suiteTeardown(async function () {
    await setLocalEndpoint(undefined);
    await new Promise<void>((r) => sock.close(() => r()));
  });

  test('the announced device is listed as a push target', async function () {
    const found = await vscode.commands.executeCommand<Target[]>('pantavisor.devices.discover', {
      destination: { address: '127.0.0.1', port: sock.address().port },
      timeoutMs: 500,
    });
    assert.equal(queries, 1, 'one query reached the responder');
    assert.deepEqual(
      found.map((t) => [t.id, t.kind, t.url]),
      [['mdns:it-device-1', 'lan', 'http://127.0.0.1:12368/cgi-bin/pvr']],
    );
    const view = (ctx as unknown as Record<symbol, DevicesTreeProvider | undefined>)[
      Symbol.for('pvkit.devices.view')
    ];
    assert.ok(view, 'the Devices view is not registered');
    const item = view.getChildren().find((t) => t.id === 'mdns:it-device-1');
    assert.ok(item, 'the Devices view lists the discovered device');
    assert.equal(view.getTreeItem(item).label, 'pv-lab (LAN, device it-device-1)');
    await vscode.commands.executeCommand('pantavisor.devices.remove', 'mdns:it-device-1');
    assert.ok(!view.getChildren().some((t) => t.id === 'mdns:it-device-1'), 'removed from the view');
  });
});
