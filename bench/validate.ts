// bench/validate: full validation of generated states (10, 100, 1,000 containers), ours against
// vscode-json-languageservice validating the same text with the same schemas (what VS Code does
// with the schemas alone). Target: ours ≤ 0.5× at 100 and 1,000; a 50-container state < 20 ms.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getLanguageService, type JSONSchema } from 'vscode-json-languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createPantavisorService } from '../src/core/service';
import { absolutizeRefs, REVISION_SCHEMAS, SCHEMA_BASE } from '../src/core/schema/schemaSet';

const sha = (i: number, salt: string): string => (salt + i.toString(16)).padStart(64, '0').slice(-64);

/** A realistic state: per container run.json, src.json, lxc.container.conf, root.squashfs, digest. */
export function generateState(containers: number): string {
  const state: Record<string, unknown> = {
    '#spec': 'pantavisor-service-system@1',
    'bsp/run.json': {
      addons: [],
      firmware: 'firmware.squashfs',
      initrd: 'pantavisor',
      linux: 'kernel.img',
      modules: 'modules.squashfs',
    },
    'bsp/drivers.json': { '#spec': 'driver-aliases@1', all: { wifi: ['brcmfmac'], usbnet: ['g_ether'] } },
    'bsp/firmware.squashfs': sha(1, 'f'),
    'bsp/pantavisor': sha(2, 'f'),
    'bsp/kernel.img': sha(3, 'f'),
    'bsp/modules.squashfs': sha(4, 'f'),
    'device.json': {
      groups: [
        { name: 'data', status_goal: 'MOUNTED', restart_policy: 'system', timeout: 30 },
        { name: 'root' },
        { name: 'platform' },
        { name: 'app' },
      ],
    },
  };
  for (let i = 0; i < containers; i++) {
    const n = `app${i}`;
    state[`${n}/run.json`] = {
      '#spec': 'service-manifest-run@1',
      config: 'lxc.container.conf',
      drivers: { manual: [], optional: ['wifi'], required: ['usbnet'] },
      group: i === 0 ? 'root' : 'app',
      name: n,
      'root-volume': 'root.squashfs',
      restart_policy: 'container',
      status_goal: 'STARTED',
      storage: { 'docker--data': { persistence: 'permanent' }, 'lxc-overlay': { persistence: 'boot' } },
      type: 'lxc',
      volumes: [],
    };
    state[`${n}/src.json`] = {
      '#spec': 'service-manifest-src@1',
      args: { PV_GROUP: 'app', PV_DRIVERS_REQUIRED: ['usbnet'] },
      docker_config: {
        Cmd: ['/bin/sh'],
        Env: ['PATH=/usr/bin:/bin'],
        WorkingDir: '/',
        Volumes: { '/data': {} },
      },
      docker_digest: `example/app@sha256:${sha(i, 'd')}`,
      docker_name: 'example/app',
      docker_source: 'remote,local',
      docker_tag: 'latest',
      template: 'builtin-lxc-docker',
    };
    state[`${n}/lxc.container.conf`] = sha(i, 'c');
    state[`${n}/root.squashfs`] = sha(i, 'e');
    state[`${n}/root.squashfs.docker-digest`] = sha(i, 'a');
  }
  return JSON.stringify(state, null, 2);
}

function time(fn: () => unknown, minMs = 300): number {
  fn(); // warm-up (schema compilation, JIT)
  const samples: number[] = [];
  const until = performance.now() + minMs;
  while (samples.length < 5 || performance.now() < until) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
    if (samples.length >= 200) break;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
}

async function timeAsync(fn: () => Promise<unknown>, minMs = 300): Promise<number> {
  await fn();
  const samples: number[] = [];
  const until = performance.now() + minMs;
  while (samples.length < 5 || performance.now() < until) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
    if (samples.length >= 200) break;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const ours = createPantavisorService();
  const ls = getLanguageService({ schemaRequestService: (u) => Promise.reject(new Error(u)) });
  ls.configure({
    validate: true,
    allowComments: false,
    schemas: Object.entries(REVISION_SCHEMAS).map(([n, s]) => ({
      uri: SCHEMA_BASE + n,
      schema: absolutizeRefs(s) as JSONSchema,
      ...(n === 'pantavisor-state.schema.json' ? { fileMatch: ['state.json'] } : {}),
    })),
  });
  console.log('containers  chars      ours ms   json-LS ms  ratio   ours µs/container');
  const rows: [number, number, number][] = [];
  for (const n of [10, 50, 100, 1000]) {
    const text = generateState(n);
    const diags = ours.validateState('state.json', text);
    if (diags.some((d) => d.severity === 'error'))
      throw new Error(`generated state has errors: ${JSON.stringify(diags.slice(0, 3))}`);
    const a = time(() => ours.validateState('state.json', text));
    let version = 0;
    const b = await timeAsync(async () => {
      const doc = TextDocument.create('file:///bench/state.json', 'json', ++version, text);
      await ls.doValidation(doc, ls.parseJSONDocument(doc));
    });
    rows.push([n, a, b]);
    console.log(
      `${String(n).padStart(10)}  ${String(text.length).padStart(8)}  ${a.toFixed(2).padStart(8)}  ${b.toFixed(2).padStart(10)}  ${(a / b).toFixed(2).padStart(5)}x  ${((a / n) * 1000).toFixed(1).padStart(8)}`,
    );
  }
  const at = (n: number): [number, number, number] => rows.find((r) => r[0] === n) ?? [n, NaN, NaN];
  const [, a50] = at(50);
  const [, a100, b100] = at(100);
  const [, a1000, b1000] = at(1000);
  console.log(
    `\nratio at 100: ${(a100 / b100).toFixed(2)}x, at 1000: ${(a1000 / b1000).toFixed(2)}x (target ≤ 0.50x)`,
  );
  console.log(
    `linearity: time per container at 1000 / at 100 = ${(a1000 / 1000 / (a100 / 100)).toFixed(2)} (1.0 = linear)`,
  );
  console.log(`50-container revision: ${a50.toFixed(2)} ms (target < 20 ms)`);
  const root = join(__dirname, '..');
  for (const f of ['extension.js', 'cli.js', 'validationWorker.js']) {
    try {
      console.log(`bundle dist/${f}: ${(statSync(join(root, 'dist', f)).size / 1024).toFixed(0)} KiB`);
    } catch {
      console.log(`bundle dist/${f}: not built (run node esbuild.mjs --production)`);
    }
  }
}

if (require.main === module) void main();
