import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { corpusDir, needsCorpus } from '../../../support/corpus';
import { convertProject, locateProject } from '../../../../src/platform/convert/convertProject';
import { loadCheckout } from '../../../../src/platform/revision/loadRevision';
import { createPantavisorService } from '../../../../src/core/service';

/** Service fields and labels counted straight from the YAML, without the converter's parser. */
function countFromYaml(text: string): Map<string, { fields: string[]; labels: string[] }> {
  const js = parseDocument(text, { merge: true, strict: false }).toJS({ maxAliasCount: -1 }) as {
    services?: Record<string, Record<string, unknown> | null>;
  };
  const out = new Map<string, { fields: string[]; labels: string[] }>();
  for (const [name, svc] of Object.entries(js.services ?? {})) {
    const fields = Object.keys(svc ?? {});
    const l = svc?.['labels'];
    const labels = Array.isArray(l)
      ? l.map((x) => String(x).split('=')[0] ?? '')
      : l && typeof l === 'object'
        ? Object.keys(l)
        : [];
    out.set(name, { fields: fields.sort(), labels: labels.sort() });
  }
  return out;
}

test(
  'every balena corpus project converts, validates with zero errors, and the report accounts for every field and label',
  needsCorpus('balena'),
  async () => {
    const root = corpusDir('balena') ?? '';
    const projects = readdirSync(root).filter((p) => !p.includes('.'));
    const tmp = mkdtempSync(join(tmpdir(), 'pvkit-convert-corpus-'));
    const service = createPantavisorService();
    let fields = 0;
    let labels = 0;
    let converted = 0;
    const failures: string[] = [];
    try {
      for (const p of projects) {
        const out = join(tmp, p);
        const r = await convertProject({
          project: join(root, p),
          out,
          build: 'never',
          images: 'never',
          configDir: join(tmp, '.pvrconfig'),
        });
        converted++;
        const loaded = await loadCheckout(out);
        const diags = service.validateCheckout(out, loaded.files, loaded.pristine);
        for (const d of diags.filter((x) => x.severity === 'error'))
          failures.push(`${p}: ${d.file}: ${d.code} ${d.message}`);
        // Independent count from the YAML.
        const { composePath } = locateProject(join(root, p));
        const expected = countFromYaml(readFileSync(composePath, 'utf8'));
        const entries = r.result.report.entries;
        for (const [svc, want] of expected) {
          const got = entries
            .filter((e) => e.service === svc && e.scope === 'service')
            .map((e) => e.key)
            .sort();
          const gotLabels = entries
            .filter((e) => e.service === svc && e.scope === 'label')
            .map((e) => e.key)
            .sort();
          assert.deepEqual(got, want.fields, `${p}/${svc}: fields in the report`);
          assert.deepEqual(gotLabels, want.labels, `${p}/${svc}: labels in the report`);
          fields += want.fields.length;
          labels += want.labels.length;
        }
        for (const e of entries) {
          assert.ok(e.line > 0, `${p}: ${e.key} has a line`);
          if (e.kind === 'dropped') assert.ok(e.why && e.instead, `${p}: ${e.key} says why and what instead`);
          else assert.ok(e.to, `${p}: ${e.key} says what it becomes`);
        }
        rmSync(out, { recursive: true, force: true });
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    console.log(
      `balena corpus conversion: ${converted}/${projects.length} projects converted, ${failures.length} validation errors, ${fields} service fields and ${labels} labels accounted for`,
    );
    assert.ok(projects.length > 100);
    assert.deepEqual(failures, []);
  },
);
