import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { HttpClient } from '../../platform/remote/HttpClient';
import { pantahubLogin, readPvrAuthToken } from '../../platform/remote/pvrAuth';
import type { Ctx } from '../ctx';
import { TOKEN_SECRET, getDeviceTargets } from '../devices/DeviceTargets';
import { log } from '../log';

/**
 * `pantavisor.pantahub.signIn`: keeps a Pantahub token in VS Code's SecretStorage (never in
 * settings or logs). Offers to reuse an installed pvr's token from `~/.pvr/auth.json` (only when
 * the user agrees), to log in with user and password, or to paste an access token.
 */
export const pantahubSignIn = (ctx: Ctx) => async (): Promise<boolean> => {
  const api = ctx.config.pantahubApiUrl;
  const configDir = process.env['PVR_CONFIG_DIR'] || join(homedir(), '.pvr');
  const cached = await readPvrAuthToken(configDir, api);
  type Item = vscode.QuickPickItem & { how: 'pvr' | 'login' | 'paste' };
  const items: Item[] = [
    ...(cached
      ? [
          {
            label: 'Use the token of your pvr installation',
            description: join(configDir, 'auth.json'),
            how: 'pvr' as const,
          },
        ]
      : []),
    { label: 'Log in with user name and password', description: api, how: 'login' },
    { label: 'Paste an access token', how: 'paste' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Sign in to Pantahub' });
  if (!pick) return false;
  let token: string | undefined;
  if (pick.how === 'pvr') token = cached;
  else if (pick.how === 'paste') {
    token = await vscode.window.showInputBox({
      title: 'Pantahub access token',
      password: true,
      ignoreFocusOut: true,
    });
  } else {
    const user = await vscode.window.showInputBox({ title: 'Pantahub user name', ignoreFocusOut: true });
    if (!user) return false;
    const pass = await vscode.window.showInputBox({
      title: 'Pantahub password',
      password: true,
      ignoreFocusOut: true,
    });
    if (!pass) return false;
    const client = new HttpClient({ retries: 1, timeoutMs: 20_000 });
    try {
      token = await pantahubLogin(client, api, user, pass);
    } finally {
      client.dispose();
    }
  }
  if (!token) return false;
  await ctx.extension.secrets.store(TOKEN_SECRET, token.trim());
  log.info(
    `Pantahub: signed in (${pick.how === 'pvr' ? "pvr's token" : pick.how}); the token is in secret storage`,
  );
  getDeviceTargets(ctx).refresh();
  void vscode.window.showInformationMessage('Signed in to Pantahub.');
  return true;
};

export const pantahubSignOut = (ctx: Ctx) => async (): Promise<void> => {
  await ctx.extension.secrets.delete(TOKEN_SECRET);
  log.info('Pantahub: signed out');
  getDeviceTargets(ctx).refresh();
};
