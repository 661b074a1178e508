import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The one log channel (house style 17). Nothing in core logs; platform code gets this as a logger. */
export const log = {
  init(): vscode.LogOutputChannel {
    channel ??= vscode.window.createOutputChannel('Pantavisor', { log: true });
    return channel;
  },
  info(message: string): void {
    channel?.info(message);
  },
  warn(message: string): void {
    channel?.warn(message);
  },
  /** Logs and reveals the channel, for failures the user should see. */
  error(message: string, e?: unknown): void {
    channel?.error(
      e === undefined
        ? message
        : `${message}: ${e instanceof Error ? (e.stack ?? e.message) : JSON.stringify(e)}`,
    );
    channel?.show(true);
  },
  show(): void {
    channel?.show(true);
  },
};
