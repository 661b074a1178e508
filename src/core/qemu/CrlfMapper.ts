/**
 * Maps lone `\n` to `\r\n` for a terminal, across chunk boundaries. A VS Code Pseudoterminal is a
 * raw terminal: a bare line feed moves down without returning to column 0. Serial consoles
 * usually send `\r\n` already, which is kept as it is (never `\r\r\n`).
 */
export class CrlfMapper {
  private lastWasCr = false;

  map(text: string): string {
    if (text === '') return text;
    let out = '';
    let prevCr = this.lastWasCr;
    for (const ch of text) {
      if (ch === '\n' && !prevCr) out += '\r\n';
      else out += ch;
      prevCr = ch === '\r';
    }
    this.lastWasCr = prevCr;
    return out;
  }
}
