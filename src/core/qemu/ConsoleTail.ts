/* eslint-disable no-control-regex -- stripping terminal control characters is the point of this file. */
/**
 * Keeps the last lines of a console stream, to show when a guest exits early. Escape sequences
 * are removed so the lines read well in an error message.
 */
export class ConsoleTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly max = 20) {}

  push(text: string): void {
    const parts = (this.partial + text).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.add(p);
  }

  private add(line: string): void {
    // Strip CSI/OSC escape sequences and other control characters except tab.
    const clean = line
      .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
      .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
      .replace(/\x1b[@-_]/g, '')
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
    this.lines.push(clean);
    if (this.lines.length > this.max) this.lines.shift();
  }

  /** The last lines, the unfinished one included. */
  text(): string {
    const all = [...this.lines];
    if (this.partial) all.push(this.partial.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ''));
    return all.slice(-this.max).join('\n');
  }
}
