// Benchmark: validating a 50-service balena compose file.
//   ours:     validateCompose (YAML parse with ranges, balena compose schema via ajv, every balena
//             rule, Pantavisor notes, build-context checks against an in-memory project)
//   baseline: yaml-language-server 1.x doValidation on the same text with the compose-spec
//             schema (the check the Red Hat YAML extension runs on docker-compose.yml)
// Same process, alternating runs, medians; prints ours/baseline (target <= 0.5).
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getLanguageService } from 'yaml-language-server/lib/umd/languageservice/yamlLanguageService';
import { validateCompose } from '../src/core/compose/validateCompose';
import { projectFromFiles } from '../src/core/compose/ComposeProject';

const SERVICES = 50;

function composeText(): string {
  const lines = ["version: '2.4'", 'services:'];
  for (let i = 0; i < SERVICES; i++) {
    lines.push(
      `  svc${i}:`,
      i % 2
        ? `    build: ./svc${i}`
        : `    image: balenalib/raspberrypi4-64-debian:bookworm-run-2024010${i % 10}`,
      '    restart: always',
      i % 3 ? '    network_mode: host' : '    networks:\n      - backend',
      '    privileged: true',
      '    environment:',
      `      - NAME=svc${i}`,
      '      - LOG_LEVEL=info',
      `      - PORT=${8000 + i}`,
      '    volumes:',
      `      - data${i % 5}:/data`,
      '    labels:',
      "      io.balena.features.dbus: '1'",
      "      io.balena.features.kernel-modules: '1'",
      "      io.balena.features.supervisor-api: '1'",
      '    devices:',
      '      - /dev/i2c-1:/dev/i2c-1',
      '    cap_add:',
      '      - SYS_RAWIO',
      ...(i > 0 ? ['    depends_on:', `      - svc${i - 1}`] : []),
      ...(i % 3 === 0 ? ['    ports:', `      - "${9000 + i}:80"`] : []),
      '    healthcheck:',
      '      test: ["CMD", "true"]',
      '      interval: 30s',
    );
  }
  lines.push('volumes:', ...[0, 1, 2, 3, 4].map((i) => `  data${i}:`), 'networks:', '  backend:', '');
  return lines.join('\n');
}

const text = composeText();
const files = new Map<string, string>([['balena.yml', 'name: bench\ntype: sw.application\n']]);
for (let i = 1; i < SERVICES; i += 2)
  files.set(`svc${i}/Dockerfile.template`, 'FROM balenalib/%%BALENA_MACHINE_NAME%%-debian\n');
const project = projectFromFiles(files);

const root = resolve(__dirname, '..');
const specPath = resolve(root, '../shared/corpus/schemas/compose-spec/compose-spec.json');
const schemaText = existsSync(specPath)
  ? readFileSync(specPath, 'utf8')
  : readFileSync(resolve(root, 'schemas/balena-compose.schema.json'), 'utf8');
const SCHEMA_URI = 'file:///compose-spec.json';

const ls = getLanguageService({
  schemaRequestService: (uri: string) =>
    uri === SCHEMA_URI ? Promise.resolve(schemaText) : Promise.reject(new Error(`no schema ${uri}`)),
  workspaceContext: { resolveRelativePath: (rel: string) => rel },
});
ls.configure({
  validate: true,
  hover: false,
  completion: false,
  schemas: [{ uri: SCHEMA_URI, fileMatch: ['*docker-compose.yml'] }],
});

let version = 0;
async function baseline(src = text): Promise<number> {
  const doc = TextDocument.create('file:///bench/docker-compose.yml', 'yaml', ++version, src);
  const diags = await ls.doValidation(doc, false);
  return diags.length;
}

function ours(src = text): number {
  return validateCompose({ composePath: 'docker-compose.yml', composeText: src, project }).diagnostics.length;
}

// The same file with one YAML anchor: our fast YAML path declines it and the full `yaml` parser runs.
const anchored = text.replace("version: '2.4'", "version: '2.4'\nx-common: &common\n  restart: always");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const base = await baseline();
  const mine = ours();
  // Warm both up (JIT, schema compilation), then alternate.
  for (let i = 0; i < 10; i++) {
    ours();
    await baseline();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 40; i++) {
    let t = process.hrtime.bigint();
    ours();
    a.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    await baseline();
    b.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const ma = median(a);
  const mb = median(b);
  const c: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < 20; i++) {
    let t = process.hrtime.bigint();
    ours(anchored);
    c.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    await baseline(anchored);
    d.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(`compose file: ${SERVICES} services, ${text.length} chars, ${text.split('\n').length} lines`);
  console.log(
    `ours (validateCompose, all balena + Pantavisor rules): ${ma.toFixed(2)} ms median, ${mine} diagnostics`,
  );
  console.log(
    `baseline (yaml-language-server doValidation + compose-spec schema): ${mb.toFixed(2)} ms median, ${base} diagnostics`,
  );
  console.log(`ratio ours/baseline: ${(ma / mb).toFixed(3)}x (target <= 0.5x)`);
  console.log(
    `with an anchor (full yaml parser path): ours ${median(c).toFixed(2)} ms, baseline ${median(d).toFixed(2)} ms, ratio ${(median(c) / median(d)).toFixed(3)}x`,
  );
}

void main();
