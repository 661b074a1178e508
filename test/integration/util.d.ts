// Stand-in declaration of the integration harness API (test/integration/util.ts on branch `itest`)
// so that compose.test.ts type-checks before that branch reaches main. Delete this file when
// util.ts arrives; the signatures below are copied from that branch's exports.
import type * as vscode from 'vscode';

export declare const ROOT: string;
export declare const FIXTURES: string;
export declare function workspaceRoot(): vscode.Uri;
export declare function openFixture(relPath: string): Promise<vscode.TextDocument>;
export declare function copyFixtureToTemp(name: string): string;
export declare function waitForDiagnostics(
  uri: vscode.Uri,
  predicate: (diagnostics: readonly vscode.Diagnostic[]) => boolean,
  timeoutMs?: number,
): Promise<vscode.Diagnostic[]>;
