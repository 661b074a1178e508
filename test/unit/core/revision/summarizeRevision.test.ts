import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelFromState } from '../../../../src/core/revision/RevisionModel';
import { summarizeRevision } from '../../../../src/core/revision/summarizeRevision';
import { revisionNodes } from '../../../../src/core/revision/revisionTree';
import { corpusDir, needsCorpus } from '../../../support/corpus';

test(
  'summary of the real initial state: containers, groups, BSP, signatures with source ranges',
  needsCorpus('pantavisor'),
  () => {
    const file = join(corpusDir('pantavisor')!, 'state.initial_state.json');
    const text = readFileSync(file, 'utf8');
    const s = summarizeRevision(modelFromState(file, text));
    assert.deepEqual(
      s.containers.map((c) => [c.name, c.group]),
      [
        ['awconnect', 'root'],
        ['pv-avahi', 'platform'],
        ['pvr-sdk', 'platform'],
      ],
    );
    const sdk = s.containers.find((c) => c.name === 'pvr-sdk')!;
    assert.deepEqual(sdk.roles, ['mgmt']);
    assert.equal(sdk.rootVolume, 'dm:root.squashfs');
    assert.ok(sdk.volumes.some((v) => v.name === 'docker--var-pvr-sdk' && v.persistence === 'permanent'));
    assert.equal(text.slice(sdk.ref.start, sdk.ref.end), '"pvr-sdk/run.json"');
    assert.equal(s.bsp?.files['linux'], 'kernel.img');
    assert.deepEqual(
      s.signatures.map((g) => g.name),
      ['_hostconfig', 'awconnect', 'bsp', 'pv-avahi', 'pvr-sdk'],
    );
    const nodes = revisionNodes(s);
    assert.deepEqual(
      nodes.map((n) => n.label),
      ['Containers', 'BSP', 'Groups', 'Disks', 'Signatures'],
    );
    assert.equal(nodes[0]!.children!.length, 3);
  },
);

test('without device.json or groups.json the built-in groups are listed', () => {
  const s = summarizeRevision(modelFromState('s.json', '{"#spec":"pantavisor-service-system@1"}'));
  assert.deepEqual(
    s.groups.map((g) => [g.name, g.builtIn]),
    [
      ['data', true],
      ['root', true],
      ['platform', true],
      ['app', true],
    ],
  );
});
