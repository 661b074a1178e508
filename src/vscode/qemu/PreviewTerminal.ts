import * as vscode from 'vscode';
import { StringDecoder } from 'node:string_decoder';
import { CrlfMapper } from '../../core/qemu/CrlfMapper';

const TRANSCRIPT_MAX = 256 * 1024;

/**
 * The serial console of a preview as a VS Code terminal. Output is buffered until VS Code calls
 * `open()` (writes before that are dropped by VS Code), lone `\n` become `\r\n`, escape sequences
 * (colours, cursor movement) pass through untouched, keystrokes go to the guest, and closing the
 * terminal stops the preview.
 */
export class PreviewTerminal implements vscode.Pseudoterminal, vscode.Disposable {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private opened = false;
  private closed = false;
  private pending: string[] = [];
  private mapper = new CrlfMapper();
  private decoder = new StringDecoder('utf8');
  private text = '';
  /**
   * The size VS Code gives the terminal. A serial line cannot signal a resize to the guest; the
   * guest asks the terminal instead (`resize`: a cursor position query, answered by VS Code's
   * terminal through handleInput), so it always learns the size set here.
   */
  dimensions: vscode.TerminalDimensions | undefined;

  constructor(
    private readonly onInput: (data: string) => void,
    private readonly onUserClose: () => void,
  ) {}

  open(dims: vscode.TerminalDimensions | undefined): void {
    this.dimensions = dims;
    this.opened = true;
    for (const s of this.pending.splice(0)) this.writeEmitter.fire(s);
  }

  close(): void {
    // The user closed the terminal (or the window is closing): the QEMU behind it goes too.
    this.closed = true;
    this.onUserClose();
  }

  handleInput(data: string): void {
    this.onInput(data);
  }

  setDimensions(dims: vscode.TerminalDimensions): void {
    this.dimensions = dims;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Raw console bytes from the guest; UTF-8 sequences split across chunks are reassembled. */
  writeConsole(chunk: Buffer): void {
    this.emit(this.decoder.write(chunk));
  }

  /** A status line from pvkit, dimmed so it stands apart from the guest's output. */
  status(message: string): void {
    this.emit(`\x1b[2m[pvkit] ${message}\x1b[0m\n`);
  }

  /** Everything written so far (the last 256 KiB), as the terminal received it. */
  transcript(): string {
    return this.text;
  }

  private emit(s: string): void {
    if (!s) return;
    const mapped = this.mapper.map(s);
    this.text = (this.text + mapped).slice(-TRANSCRIPT_MAX);
    if (this.opened) this.writeEmitter.fire(mapped);
    else this.pending.push(mapped);
  }

  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }

  /** Closes the terminal from our side (when the preview is removed). */
  end(): void {
    if (!this.closed) this.closeEmitter.fire();
    this.closed = true;
  }
}
