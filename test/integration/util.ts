// Helpers for integration tests. They run inside the extension host (bundled into each
// out/test/integration/*.test.js), so paths are computed from the bundle's location.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { PvkitApi } from '../../src/extension';
import { DeviceEndpoint } from '../../src/platform/remote/DeviceEndpoint';
import { initRepo } from '../../src/platform/repo/init';
import type { Ctx } from '../../src/vscode/ctx';

/** The project root: the bundles live in <root>/out/test/integration/. */
export const ROOT = resolve(__dirname, '../../..');
export const FIXTURES = join(ROOT, 'test/fixtures');

/** The workspace folder of this run: a temp copy of test/fixtures/integration-workspace/. */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder open; run through scripts/run-integration.mjs');
  return folder.uri;
}

/** Opens `relPath` of the workspace in an editor and returns its document. */
export async function openFixture(relPath: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), relPath));
  await vscode.window.showTextDocument(doc);
  return doc;
}

/**
 * Copies test/fixtures/<name>/ to a fresh temp dir and returns the copy's path, for tests that
 * change files (house style 21: fixtures are never modified in place).
 */
export function copyFixtureToTemp(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'pvkit-fixture-')), name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/**
 * Resolves with the diagnostics of `uri` as soon as `predicate` accepts them. It listens to
 * onDidChangeDiagnostics and also re-checks every 100 ms (an event may have fired before we
 * subscribed); it never sleeps a fixed time. Rejects after `timeoutMs` with the last diagnostics
 * seen, so a failure shows what was there instead.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  predicate: (diagnostics: readonly vscode.Diagnostic[]) => boolean,
  timeoutMs = 10_000,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolvePromise, reject) => {
    const key = uri.toString();
    let finished = false;
    const check = (): void => {
      if (finished) return;
      const current = vscode.languages.getDiagnostics(uri);
      if (predicate(current)) {
        finish();
        resolvePromise(current);
      } else if (Date.now() >= deadline) {
        finish();
        const seen = current.map(
          (d) => `  ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`,
        );
        reject(
          new Error(
            `diagnostics of ${uri.fsPath} did not match within ${timeoutMs} ms; last seen:\n${seen.join('\n') || '  (none)'}`,
          ),
        );
      }
    };
    const deadline = Date.now() + timeoutMs;
    const subscription = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === key)) check();
    });
    const timer = setInterval(check, 100);
    const finish = (): void => {
      finished = true;
      clearInterval(timer);
      subscription.dispose();
    };
    check();
  });
}

/**
 * Polls `get` (which may be async) every 100 ms until it returns a value, or rejects after `ms`
 * naming `what`.
 */
export async function until<T>(
  get: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Activates pvkit and returns its context, failing loudly when it is not installed or activation failed. */
export async function activatedCtx(): Promise<Ctx> {
  const ext = vscode.extensions.getExtension<PvkitApi | undefined>('pvkit.pvkit');
  assert.ok(ext, 'pvkit.pvkit is not among the loaded extensions');
  const api = await ext.activate();
  assert.ok(
    api?.ctx,
    'pvkit activated without returning its ctx (activation failed: see the Pantavisor log)',
  );
  return api.ctx;
}

/** Points the `devices.localEndpoint` setting at `url` (undefined resets it). */
export async function setLocalEndpoint(url: string | undefined): Promise<void> {
  await vscode.workspace
    .getConfiguration('pantavisor')
    .update('devices.localEndpoint', url, vscode.ConfigurationTarget.Global);
}

/** A `pvkit serve` endpoint in `<base>/device` on a free loopback port, made the local endpoint. */
export async function startLocalEndpoint(base: string): Promise<DeviceEndpoint> {
  const ep = new DeviceEndpoint({ dir: join(base, 'device'), port: 0 });
  await setLocalEndpoint(await ep.start());
  return ep;
}

/**
 * A new pvr checkout `<base>/checkout` (objects and config below `base`) with the given files,
 * paths relative to the checkout; nothing is added or committed.
 */
export async function newCheckout(base: string, files: Record<string, string | Buffer>): Promise<string> {
  const checkout = join(base, 'checkout');
  mkdirSync(checkout, { recursive: true });
  await initRepo(checkout, {
    objects: join(base, 'objects'),
    spec: 'pantavisor-service-system@1',
    configDir: join(base, 'config'),
    cwd: checkout,
  });
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(join(checkout, rel, '..'), { recursive: true });
    writeFileSync(join(checkout, rel), body);
  }
  return checkout;
}
