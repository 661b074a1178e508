import * as vscode from 'vscode';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KeyObject, X509Certificate } from 'node:crypto';
import { selectKeys } from '../../core/signature/payload';
import { matchForAdd, type PvsMatch } from '../../core/signature/pvsMatch';
import { parseSignatureFile } from '../../core/signature/pvsSignature';
import { KeyFileError, readCertificates, readPrivateKey } from '../../platform/signature/keys';
import { signState } from '../../platform/signature/sign';
import { committedSignatureKeys } from '../../platform/signature/signatureReport';
import { readCheckout, type Checkout } from '../../platform/signature/workingTree';
import type { Ctx } from '../ctx';
import { log } from '../log';
import { signatureService } from './startSignatures';

/** Picks the checkout to sign: the one of the active editor, the only one, or asked. */
async function pickCheckout(hint?: string): Promise<string | undefined> {
  if (hint) return hint;
  const service = signatureService();
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const fromEditor = active && service?.checkoutOf(active);
  if (fromEditor) return fromEditor;
  const found = await vscode.workspace.findFiles('**/.pvr/json', '**/node_modules/**', 100);
  const dirs = found.map((u) => dirname(dirname(u.fsPath)));
  if (dirs.length === 0) {
    void vscode.window.showErrorMessage('No pvr checkout (a folder with .pvr/json) in this workspace.');
    return undefined;
  }
  if (dirs.length === 1) return dirs[0];
  return vscode.window.showQuickPick(dirs, { placeHolder: 'Which pvr checkout?' });
}

/**
 * The signing key: the `pantavisor.signatures.keyPath` setting, or a file the user picks. An
 * encrypted key's passphrase is asked with a password box and used once; it is never stored.
 */
async function signingKey(ctx: Ctx): Promise<{ key: KeyObject; x5c?: X509Certificate[] } | undefined> {
  let path = ctx.config.signaturePath('signatures.keyPath');
  if (!path) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Private key (PEM) to sign with; set pantavisor.signatures.keyPath to skip this',
      canSelectMany: false,
      filters: { 'PEM key': ['pem', 'key'], 'All files': ['*'] },
    });
    path = picked?.[0]?.fsPath ?? '';
    if (!path) return undefined;
  }
  let key: KeyObject;
  try {
    key = await readPrivateKey(path);
  } catch (e) {
    if (!(e instanceof KeyFileError) || e.kind !== 'encrypted') throw e;
    const passphrase = await vscode.window.showInputBox({
      title: `Passphrase for ${path}`,
      prompt: 'Used once to decrypt the key; never stored.',
      password: true,
      ignoreFocusOut: true,
    });
    if (passphrase === undefined) return undefined;
    key = await readPrivateKey(path, passphrase);
  }
  const x5cPath = ctx.config.signaturePath('signatures.x5cPath');
  if (!x5cPath) return { key };
  return {
    key,
    x5c: await readCertificates(x5cPath, 'x5c certificate file (pantavisor.signatures.x5cPath)'),
  };
}

/** Asks before signing when covered files have uncommitted changes (the committed state is signed). */
async function confirmCommitted(checkout: Checkout, covered: readonly string[]): Promise<boolean> {
  const set = new Set(covered);
  const dirty = [...checkout.changes.modified, ...checkout.changes.deleted].filter((k) => set.has(k));
  if (dirty.length === 0) return true;
  const go = 'Sign Committed State';
  const answer = await vscode.window.showWarningMessage(
    `${dirty.length} covered file(s) have uncommitted changes (${dirty.slice(0, 3).join(', ')}). A signature covers the committed state: commit first (pvr commit), then sign.`,
    { modal: true },
    go,
  );
  return answer === go;
}

async function writeSig(dir: string, key: string, text: string): Promise<void> {
  const path = join(dir, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** `pantavisor.sig.add`: pvr sig add --part NAME | --raw NAME, from VS Code. */
export function sigAddCommand(ctx: Ctx): (...args: unknown[]) => Promise<void> {
  return async (arg?: unknown) => {
    const dir = await pickCheckout(
      typeof arg === 'object' && arg && 'dir' in arg ? String(arg.dir) : undefined,
    );
    if (!dir) return;
    const checkout = await readCheckout(dir);
    const parts = [
      ...new Set(
        checkout.state.keys
          .filter((k) => k.includes('/') && !k.startsWith('_'))
          .map((k) => k.split('/')[0] ?? ''),
      ),
    ];
    const RAW = '$(edit) Raw: custom include/exclude globs…';
    const choice = await vscode.window.showQuickPick(
      [...parts.map((p) => ({ label: p, description: `--part ${p}` })), { label: RAW }],
      {
        placeHolder: 'Sign which part of the committed revision?',
      },
    );
    if (!choice) return;
    let made: { name: string; match: PvsMatch };
    if (choice.label === RAW) {
      const name = await vscode.window.showInputBox({
        prompt: 'Signature name (_sigs/NAME.json)',
        validateInput: (v) => (/^[^/\\]+$/.test(v) ? undefined : 'a file name, no slashes'),
      });
      if (!name) return;
      const inc = await vscode.window.showInputBox({
        prompt: 'Include globs, comma separated (doublestar ** semantics)',
        value: '**',
      });
      if (inc === undefined) return;
      const exc = await vscode.window.showInputBox({
        prompt: 'Exclude globs, comma separated',
        value: 'src.json',
      });
      if (exc === undefined) return;
      const split = (s: string): string[] =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
      made = matchForAdd({ raw: name, include: split(inc), exclude: split(exc) });
    } else {
      made = matchForAdd({ part: choice.label });
    }
    const selection = selectKeys(checkout.state.keys, made.match.include, made.match.exclude);
    if (selection.protected.length === 0) {
      void vscode.window.showErrorMessage(
        `The globs ${made.match.include.join(', ')} select no file of the committed revision; commit the files first or fix the globs.`,
      );
      return;
    }
    if (!(await confirmCommitted(checkout, selection.protected))) return;
    const material = await signingKey(ctx);
    if (!material) return;
    const res = signState({ state: checkout.state, match: made.match, key: material.key, x5c: material.x5c });
    const sigKey = `_sigs/${made.name}.json`;
    await writeSig(dir, sigKey, res.fileText);
    log.info(`signed ${res.selection.protected.length} keys of ${dir} with ${res.alg} into ${sigKey}`);
    await signatureService()?.refresh(dir);
    void vscode.window.showInformationMessage(
      `Signed ${res.selection.protected.length} file(s) with ${res.alg} into ${sigKey}. Next: pvr add ${sigKey} && pvr commit.`,
    );
  };
}

/** `pantavisor.sig.update` (Re-sign): pvr sig update [NAME], with the signatures' stored globs. */
export function sigUpdateCommand(ctx: Ctx): (...args: unknown[]) => Promise<void> {
  return async (arg?: unknown) => {
    const a = (typeof arg === 'object' && arg ? arg : {}) as { dir?: string; name?: string };
    const dir = await pickCheckout(a.dir);
    if (!dir) return;
    const checkout = await readCheckout(dir);
    const all = committedSignatureKeys(checkout.state);
    let targets: string[];
    if (a.name) targets = [`_sigs/${a.name}.json`];
    else {
      const picked = await vscode.window.showQuickPick(all, {
        canPickMany: true,
        placeHolder: 'Re-sign which signatures?',
      });
      if (!picked || picked.length === 0) return;
      targets = picked;
    }
    const plans: { key: string; match: PvsMatch }[] = [];
    for (const key of targets) {
      const parsed = parseSignatureFile(await readFile(join(dir, ...key.split('/')), 'utf8'));
      if (!parsed.ok) {
        void vscode.window.showErrorMessage(`${key}: ${parsed.problem.message}`);
        return;
      }
      plans.push({ key, match: { include: parsed.sig.header.include, exclude: parsed.sig.header.exclude } });
    }
    const covered = plans.flatMap(
      (p) => selectKeys(checkout.state.keys, p.match.include, p.match.exclude).protected,
    );
    if (!(await confirmCommitted(checkout, covered))) return;
    const material = await signingKey(ctx);
    if (!material) return;
    for (const p of plans) {
      const res = signState({ state: checkout.state, match: p.match, key: material.key, x5c: material.x5c });
      await writeSig(dir, p.key, res.fileText);
      log.info(`re-signed ${p.key} of ${dir} with ${res.alg}`);
    }
    await signatureService()?.refresh(dir);
    void vscode.window.showInformationMessage(
      `Re-signed ${plans.map((p) => p.key).join(', ')}. Next: pvr add ${plans.map((p) => p.key).join(' ')} && pvr commit.`,
    );
  };
}
