import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  formatSrcJson,
  parseTemplateArgs,
  parseVolumes,
  type AppSource,
} from '../../../../src/core/image/srcJson';
import { corpusDir, needsCorpus } from '../../../support/corpus';

test('src.json is written as Go\'s MarshalIndent(src, " ", " ") over pvr\'s Source struct', () => {
  const src: AppSource = {
    '#spec': 'service-manifest-src@1',
    template: 'builtin-lxc-docker',
    args: { PV_GROUP: 'app', A: 'x<y>&z' },
    config: {},
    docker_name: 'nginx',
    docker_tag: 'latest',
    docker_digest: `nginx@sha256:${'1'.repeat(64)}`,
    docker_source: 'remote,local',
    docker_config: { Env: ['A=1'], Cmd: [] },
    persistence: {},
    pvkit_from: 'docker-archive:x.tar',
  };
  assert.equal(
    formatSrcJson(src),
    [
      '{',
      '  "#spec": "service-manifest-src@1",',
      '  "template": "builtin-lxc-docker",',
      '  "args": {',
      '   "A": "x\\u003cy\\u003e\\u0026z",',
      '   "PV_GROUP": "app"',
      '  },',
      '  "docker_name": "nginx",',
      '  "docker_tag": "latest",',
      `  "docker_digest": "nginx@sha256:${'1'.repeat(64)}",`,
      '  "docker_source": "remote,local",',
      '  "docker_config": {',
      '   "Cmd": [],',
      '   "Env": [',
      '    "A=1"',
      '   ]',
      '  },',
      '  "pvkit_from": "docker-archive:x.tar"',
      ' }',
    ].join('\n'),
  );
});

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Go's decoder turns a lone surrogate escape into U+FFFD, so that is what pvr (and we) write back.
test(
  'corpus src.json files keep their content through a read and write, as Go decodes it',
  needsCorpus('pvr-template'),
  () => {
    const dir = corpusDir('pvr-template') ?? '';
    let n = 0;
    for (const c of readdirSync(dir)) {
      let text: string;
      try {
        text = readFileSync(join(dir, c, 'src.json'), 'utf8');
      } catch {
        continue;
      }
      let parsed: AppSource;
      try {
        parsed = JSON.parse(text, (_k, v: unknown) =>
          typeof v === 'string' ? v.replace(LONE_SURROGATE, '\ufffd') : v,
        ) as AppSource;
      } catch {
        continue;
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) continue;
      const again = JSON.parse(formatSrcJson(parsed)) as Record<string, unknown>;
      const drop = (o: Record<string, unknown>): Record<string, unknown> =>
        Object.fromEntries(
          Object.entries(o).filter(
            ([k, v]) =>
              k === '#spec' ||
              !(
                v === '' ||
                v === null ||
                v === false ||
                v === 0 ||
                (typeof v === 'object' && Object.keys(v).length === 0)
              ),
          ),
        );
      assert.deepEqual(again, drop(parsed as Record<string, unknown>), c);
      n++;
    }
    assert.ok(n > 5, `read ${n} corpus src.json files`);
  },
);

test('--volume and --arg as pvr parses them', () => {
  assert.deepEqual(parseVolumes(['/data:permanent', 'ovl:/var:revision', '/x:boot@disk1']), {
    '/data': 'permanent',
    'ovl:/var': 'revision',
    '/x': 'boot@disk1',
  });
  assert.throws(() => parseVolumes(['/data']), /PATH:PERSISTENCE/);
  assert.deepEqual(parseTemplateArgs(['A=1', 'B', 'C=x=y']), { A: '1', B: '', C: 'x=y' });
});
