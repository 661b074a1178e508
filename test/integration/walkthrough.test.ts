// The getting-started walkthrough: every button runs a registered command, every image is in the
// package, and VS Code opens the walkthrough.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ROOT, until } from './util';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { image: string; altText: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  steps: Step[];
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  publisher: string;
  name: string;
  contributes: { walkthroughs: Walkthrough[] };
};
const walkthrough = pkg.contributes.walkthroughs[0]!;

/** The command ids of a step: its `command:` links and its onCommand completion events. */
function commandsOf(step: Step): string[] {
  const links = [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]!);
  const events = (step.completionEvents ?? [])
    .filter((e) => e.startsWith('onCommand:'))
    .map((e) => e.slice('onCommand:'.length));
  return [...new Set([...links, ...events])];
}

suite('walkthrough', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(`${pkg.publisher}.${pkg.name}`)!.activate();
  });

  test('the steps go from a balena project to a push', () => {
    assert.deepEqual(
      walkthrough.steps.map((s) => s.title),
      ['Open a balena project', 'Convert', 'Fix what the report says', 'Start a QEMU preview', 'Push'],
    );
  });

  test('every step has a button whose command is registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthrough.steps) {
      const ids = commandsOf(step);
      assert.ok(ids.length > 0, `step ${step.id} has no command link`);
      for (const id of ids) assert.ok(registered.has(id), `step ${step.id}: command ${id} is not registered`);
    }
  });

  test('every step has an image that exists in media/', () => {
    for (const step of walkthrough.steps) {
      const file = join(ROOT, step.media.image);
      assert.match(step.media.image, /^media\/[\w-]+\.png$/);
      assert.ok(existsSync(file), `step ${step.id}: ${step.media.image} is missing`);
      assert.ok(statSync(file).size > 10_000, `step ${step.id}: ${step.media.image} is not a screenshot`);
      assert.ok(step.media.altText.length > 10, `step ${step.id} has no alt text`);
    }
  });

  test('VS Code opens the walkthrough', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(
      'workbench.action.openWalkthrough',
      `${pkg.publisher}.${pkg.name}#${walkthrough.id}`,
      false,
    );
    const tab = await until(() => {
      const t = vscode.window.tabGroups.activeTabGroup.activeTab;
      return t && /Walkthrough|Welcome|From balena/i.test(t.label) ? t : undefined;
    }, 'the walkthrough editor');
    assert.ok(tab.isActive);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
