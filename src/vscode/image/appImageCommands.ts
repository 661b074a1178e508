import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { parseImageRef } from '../../core/image/imageRef';
import { resolveDockerHost } from '../../platform/image/dockerHost';
import { listEngineImages } from '../../platform/image/engineSource';
import { addApp, updateApp } from '../../platform/image/importImage';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { pvrScm } from '../scm/PvrScmProvider';
import { importWithProgress } from './importWithProgress';

/** The pvr checkout to work in: the hint's, else the open checkouts, asked when there are several. */
async function pickCheckout(hint?: string): Promise<string | undefined> {
  if (hint) {
    for (let d = hint; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, '.pvr', 'json'))) return d;
  }
  // Workspace folders that are checkouts, and the checkouts below them the SCM provider found
  // (e.g. a freshly converted project beside the balena one).
  const roots = [
    ...new Set([
      ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      ...(pvrScm()?.repositories() ?? []).map((r) => r.root),
    ]),
  ].filter((p) => existsSync(join(p, '.pvr')));
  if (roots.length === 1) return roots[0];
  if (roots.length === 0) {
    void vscode.window.showErrorMessage(
      'Open a pvr checkout (a folder with .pvr/) to add containers to it; "pvkit" or "pvr init" creates one.',
    );
    return undefined;
  }
  return (
    (await vscode.window.showQuickPick(roots, { placeHolder: 'Checkout to add the container to' })) ??
    undefined
  );
}

interface ImageItem extends vscode.QuickPickItem {
  from?: string;
  source?: string;
  archive?: 'docker-archive' | 'oci-archive' | 'oci';
}

/** Local images from the engine, plus a typed reference and archive choices. */
async function pickImage(ctx: Ctx): Promise<{ from: string; source: string } | undefined> {
  const qp = vscode.window.createQuickPick<ImageItem>();
  qp.placeholder =
    'Image: pick a local image, or type a reference (e.g. nginx:1.25, registry.example.com/app@sha256:…)';
  qp.busy = true;
  const fixed: ImageItem[] = [
    { label: '$(file-zip) Docker archive (docker save) …', archive: 'docker-archive', alwaysShow: true },
    { label: '$(file-zip) OCI archive …', archive: 'oci-archive', alwaysShow: true },
    { label: '$(folder) OCI layout folder …', archive: 'oci', alwaysShow: true },
  ];
  let engine: ImageItem[] = [];
  const refresh = (): void => {
    const typed = qp.value.trim();
    const typedItem: ImageItem[] = typed
      ? [
          {
            label: `$(cloud-download) ${typed}`,
            description: 'registry first, then the local engine',
            from: typed,
            source: 'remote,local',
            alwaysShow: true,
          },
        ]
      : [];
    qp.items = [...typedItem, ...engine, ...fixed];
  };
  qp.onDidChangeValue(refresh);
  refresh();
  qp.show();
  const endpoint = resolveDockerHost(ctx.config.dockerHost);
  listEngineImages(endpoint).then(
    (imgs) => {
      engine = imgs.flatMap((i) =>
        i.tags.map((t) => ({
          label: `$(package) ${t}`,
          description: `${(i.size / 1e6).toFixed(0)} MB, local engine`,
          from: t,
          source: 'local',
        })),
      );
      qp.busy = false;
      refresh();
    },
    (e: unknown) => {
      log.warn(`listing local images at ${endpoint.host}: ${String(e)}`);
      qp.busy = false;
    },
  );
  const picked = await new Promise<ImageItem | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]));
    qp.onDidHide(() => resolve(undefined));
  });
  qp.dispose();
  if (!picked) return undefined;
  if (picked.from) return { from: picked.from, source: picked.source ?? 'remote,local' };
  if (!picked.archive) return undefined;
  const folder = picked.archive === 'oci';
  const uris = await vscode.window.showOpenDialog({
    canSelectFiles: !folder,
    canSelectFolders: folder,
    canSelectMany: false,
  });
  const path = uris?.[0]?.fsPath;
  return path ? { from: `${picked.archive}:${path}`, source: 'local' } : undefined;
}

function defaultName(from: string): string {
  try {
    const r = parseImageRef(from);
    const base =
      r.kind === 'registry' ? r.path.split('/').pop() : basename(r.path).replace(/\.(tar|oci).*$/, '');
    return (base ?? 'app').replace(/[^a-zA-Z0-9_.-]/g, '-');
  } catch {
    return 'app';
  }
}

/** `pantavisor.app.add`: "Add container from image", the editor's `pvr app add --from`. */
export function appAddCommand(ctx: Ctx) {
  return async (uri?: unknown): Promise<void> => {
    const checkout = await pickCheckout(uri instanceof vscode.Uri ? uri.fsPath : undefined);
    if (!checkout) return;
    const image = await pickImage(ctx);
    if (!image) return;
    const app = await vscode.window.showInputBox({
      prompt: `Container name for ${image.from}`,
      value: defaultName(image.from),
      validateInput: (v) =>
        !/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(v) || v === '.' || v === '..'
          ? 'One folder name: letters, digits, . _ -'
          : existsSync(join(checkout, v))
            ? `${v} exists; use "Update Container Image" for it`
            : undefined,
    });
    if (!app) return;
    const r = await importWithProgress(`Adding ${app} from ${image.from}`, (hooks) =>
      addApp({
        checkout,
        cwd: checkout,
        app,
        from: image.from,
        source: image.source,
        dockerHost: ctx.config.dockerHost,
        templateCompat: ctx.config.templateCompat,
        ...hooks,
      }),
    );
    if (r)
      void vscode.window.showInformationMessage(
        `Added ${app} (${r.image.dockerDigest}); files: src.json, ${r.rendered.join(', ')}, root.squashfs.`,
      );
  };
}

/** `pantavisor.app.update`: "Update container image", the editor's `pvr app update`. */
export function appUpdateCommand(ctx: Ctx) {
  return async (uri?: unknown): Promise<void> => {
    const hint = uri instanceof vscode.Uri ? uri.fsPath : vscode.window.activeTextEditor?.document.uri.fsPath;
    const checkout = await pickCheckout(hint);
    if (!checkout) return;
    let app: string | undefined;
    if (hint?.startsWith(checkout)) app = hint.slice(checkout.length + 1).split('/')[0];
    if (!app || !existsSync(join(checkout, app, 'src.json'))) {
      const files = await vscode.workspace.findFiles(new vscode.RelativePattern(checkout, '*/src.json'));
      const apps = files.map((f) => basename(dirname(f.fsPath))).sort();
      app = await vscode.window.showQuickPick(apps, {
        placeHolder: 'Container to update to the current image',
      });
    }
    if (!app) return;
    const name = app;
    const r = await importWithProgress(`Updating ${name}`, (hooks) =>
      updateApp({
        checkout,
        cwd: checkout,
        app: name,
        dockerHost: ctx.config.dockerHost,
        templateCompat: ctx.config.templateCompat,
        ...hooks,
      }),
    );
    if (r)
      void vscode.window.showInformationMessage(
        r.squashfsWritten
          ? `Updated ${name} to ${r.image.dockerDigest}.`
          : `${name} is up to date (${r.image.dockerDigest}).`,
      );
  };
}
