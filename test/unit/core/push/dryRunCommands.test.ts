import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dryRunCommands, shellQuote } from '../../../../src/core/push/dryRunCommands';

test('shell quoting', () => {
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['http://127.0.0.1:12368/cgi-bin/pvr', 'http://127.0.0.1:12368/cgi-bin/pvr'],
    ['two words', `'two words'`],
    [`it's`, `'it'\\''s'`],
    ['', `''`],
    ['$HOME', `'$HOME'`],
  ];
  for (const [a, q] of cases) assert.equal(shellQuote(a), q, a);
});

test('dry run lists the exact commands a CI script runs', () => {
  assert.deepEqual(
    dryRunCommands({
      checkout: '/w/my device',
      target: 'http://127.0.0.1:12368/cgi-bin/pvr',
      commitMessage: 'Push from VS Code',
      commit: true,
    }),
    [
      `cd '/w/my device'`,
      'pvkit add .',
      `pvkit commit -m 'Push from VS Code'`,
      `pvkit post -m 'Push from VS Code' http://127.0.0.1:12368/cgi-bin/pvr`,
    ],
  );
  assert.deepEqual(
    dryRunCommands({
      checkout: '/w',
      target: 'alice/dev1',
      commitMessage: 'm',
      commit: false,
      tokenEnv: 'PH_TOKEN',
      before: [['pvkit', 'convert', 'proj', '-o', '/w']],
    }),
    ['pvkit convert proj -o /w', 'cd /w', 'PVR_ACCESSTOKEN="$PH_TOKEN" pvkit post -m m alice/dev1'],
  );
  // Convert and Push: the image of each container is imported in the checkout before staging.
  assert.deepEqual(
    dryRunCommands({
      checkout: '/w',
      target: 'http://d/cgi-bin/pvr',
      commitMessage: 'm',
      commit: true,
      before: [['pvkit', 'convert', 'proj', '--out', '/w', '--force']],
      inCheckout: [
        ['pvkit', 'app', 'update', 'db'],
        ['pvkit', 'app', 'update', 'web'],
      ],
    }),
    [
      'pvkit convert proj --out /w --force',
      'cd /w',
      'pvkit app update db',
      'pvkit app update web',
      'pvkit add .',
      'pvkit commit -m m',
      'pvkit post -m m http://d/cgi-bin/pvr',
    ],
  );
});
