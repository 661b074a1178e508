import * as vscode from 'vscode';
import { describeSignatureText } from '../../platform/signature/describeSignature';
import type { SignatureService } from './SignatureService';

const STATUS_TEXT = {
  valid: '$(pass) verified with a trusted key',
  untrusted: '$(warning) intact (verifies with its own embedded key), not verified against a trusted key',
  invalid: '$(error) does NOT verify against the committed state',
  error: '$(error) unreadable',
} as const;

/**
 * Hover on `_sigs/*.json`: the decoded protected header (algorithm, key, certificate subject and
 * expiry, include/exclude) and the last verification result of the checkout.
 */
export class SignatureHoverProvider implements vscode.HoverProvider {
  constructor(private readonly service: SignatureService) {}

  provideHover(doc: vscode.TextDocument): vscode.Hover | undefined {
    const d = describeSignatureText(doc.getText());
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = false;
    if (!d.ok) {
      md.appendMarkdown(`**Pantavisor signature**: cannot decode: ${escape(d.error)}`);
      return new vscode.Hover(md);
    }
    const s = d.description;
    md.appendMarkdown(`**Pantavisor signature** (pvs@2, JWS \`${escape(s.alg)}\`)\n\n`);
    const dir = this.service.checkoutOf(doc.uri.fsPath);
    const report = dir ? this.service.report(dir) : undefined;
    const rel = dir
      ? doc.uri.fsPath
          .slice(dir.length + 1)
          .split(/[\\/]/)
          .join('/')
      : undefined;
    const checked = report?.signatures.find((x) => x.key === rel);
    if (checked) {
      md.appendMarkdown(
        `Status: ${STATUS_TEXT[checked.status]}${checked.reason ? `: ${escape(checked.reason)}` : ''}\n\n`,
      );
      const stale = report?.coverage.stale.find((x) => x.key === rel);
      if (stale)
        md.appendMarkdown(`$(error) stale: changed since signing: ${stale.changed.map(code).join(', ')}\n\n`);
      if (checked.signer && checked.status === 'valid')
        md.appendMarkdown(`Signer: ${escape(checked.signer)}\n\n`);
    }
    md.appendMarkdown(`| | |\n|---|---|\n`);
    md.appendMarkdown(`| Algorithm | ${escape(s.alg)} |\n`);
    if (s.key)
      md.appendMarkdown(
        `| Key | ${escape(s.key)}${s.keyThumbprint ? ` (thumbprint ${code(s.keyThumbprint)})` : ''} |\n`,
      );
    s.certificates.forEach((c, i) => {
      const when = c.expired
        ? ` **expired** ${escape(c.validTo)}`
        : c.notYetValid
          ? ` not valid before ${escape(c.validFrom)}`
          : ` valid until ${escape(c.validTo)}`;
      md.appendMarkdown(
        `| ${i === 0 ? 'Certificate' : `Chain ${i}`} | ${escape(c.subject)} (issuer ${escape(c.issuer)});${when} |\n`,
      );
    });
    if (s.certificateError) md.appendMarkdown(`| Certificate | $(error) ${escape(s.certificateError)} |\n`);
    md.appendMarkdown(`| Include | ${s.include.map(code).join(', ') || '(none)'} |\n`);
    md.appendMarkdown(`| Exclude | ${s.exclude.map(code).join(', ') || '(none)'} |\n`);
    if (checked?.selection)
      md.appendMarkdown(
        `| Covers | ${checked.selection.protected.length} file(s) of the committed revision |\n`,
      );
    return new vscode.Hover(md);
  }
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`);
}

function code(s: string): string {
  return '`' + s.replace(/`/g, "'") + '`';
}
