import { test } from 'node:test';
import assert from 'node:assert/strict';
import { complete, hover } from '../../../src/vscode/revision/jsonAssist';

/**
 * The schemas teach the format in the editor: hover shows the descriptions, completion lists
 * enum values with their explanations, offers snippets and hides deprecated keys. Exercised
 * through the same JSON language service setup the extension uses.
 */

test('hover on a run.json key shows its description', async () => {
  const text = '{"name":"c","restart_policy":"system"}';
  const h = await hover('run', text, text.indexOf('restart_policy') + 2);
  assert.ok(h);
  assert.match(h.markdown, /restart/i);
  assert.match(h.markdown, /reject the revision/);
});

test('hover on an enum value explains the value', async () => {
  const text = '{"name":"c","storage":{"lxc-overlay":{"persistence":"boot"}}}';
  const h = await hover('run', text, text.indexOf('"boot"') + 2);
  assert.ok(h);
  assert.match(h.markdown, /recreated empty at every boot/);
});

test('completing status_goal lists the three goals with their meaning', async () => {
  const text = '{"name":"c","status_goal":""}';
  const items = await complete('run', text, text.length - 2);
  assert.deepEqual(
    items.map((i) => i.label),
    ['"MOUNTED"', '"STARTED"', '"READY"'],
  );
  assert.ok(items.every((i) => i.documentation && i.documentation.length > 10));
});

test('completing run.json keys offers the parser keys but not the deprecated runlevel', async () => {
  const text = '{"name":"c", }';
  const labels = (await complete('run', text, text.length - 2)).map((i) => i.label);
  for (const k of ['group', 'status_goal', 'restart_policy', 'storage', 'roles', 'auto_recovery', 'network'])
    assert.ok(labels.includes(k), `missing ${k}`);
  assert.ok(!labels.includes('runlevel'));
});

test('src.json args complete with every template arg, documented', async () => {
  const text = '{"template":"builtin-lxc-docker","args":{ }}';
  const items = await complete('src', text, text.length - 3);
  const labels = items.map((i) => i.label);
  for (const k of [
    'PV_GROUP',
    'PV_LXC_CAP_KEEP',
    'PVR_LXC_CGROUP_DEVICES_WHITE',
    'LXC_TTY_MAX',
    'PV_SERVICES_REQUIRED',
  ])
    assert.ok(labels.includes(k), `missing ${k}`);
  assert.ok(items.filter((i) => /^(PV|LXC|PVR)_/.test(i.label)).every((i) => i.documentation));
});

test('a new group in groups.json completes from a snippet', async () => {
  const text = '[ ]';
  const items = await complete('groups', text, 1);
  assert.ok(items.some((i) => i.isSnippet && /New group/.test(i.label)));
});
