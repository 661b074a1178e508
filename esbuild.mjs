// Builds the two bundles: the extension (dist/extension.js) and the pvkit CLI (dist/cli.js), the
// engine client both load on first use (dist/engineApi.js),
// plus the integration-test entry (out/test/integration/index.js) in development builds.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints esbuild's errors in the format VS Code's problem matcher understands. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD build uses a dynamic require that esbuild cannot follow; take its ESM build.
  mainFields: ['module', 'main'],
  // ssh2 (through dockerode) has optional native add-ons; they are loaded in try/catch and
  // are not needed for unix-socket or TCP engines, so they stay out of the bundle.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  loader: { '.node': 'empty' },
  plugins: watch ? [problemMatcher] : [],
};

/**
 * The Docker engine client (dockerode with ssh2, grpc-js, protobufjs: ~700 KB) is its own bundle,
 * dist/engineApi.js, which the extension and the CLI load on first use: `import('./engineApi')`
 * in src/platform/image/loadEngineApi.ts is left as a require of the file beside the bundle.
 */
const lazyEngine = {
  name: 'lazy-engine-api',
  setup(build) {
    build.onResolve({ filter: /^\.\/engineApi(\.js)?$/ }, (args) =>
      /loadEngineApi\.ts$/.test(args.importer) ? { path: './engineApi.js', external: true } : undefined,
    );
  },
};
// `supported`: the import() becomes a plain require, as VS Code's extension host loads CommonJS.
const app = { ...common, plugins: [...common.plugins, lazyEngine], supported: { 'dynamic-import': false } };

const builds = [
  { ...app, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...common, entryPoints: ['src/platform/image/engineApi.ts'], outfile: 'dist/engineApi.js' },
  {
    ...common,
    entryPoints: ['src/platform/validation/validationWorker.ts'],
    outfile: 'dist/validationWorker.js',
  },
  {
    ...app,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
];
if (!production && existsSync('test/integration/index.ts')) {
  // index.js plus one bundle per test file, side by side; index.js runs every *.test.js it finds.
  const tests = readdirSync('test/integration').filter((f) => f.endsWith('.test.ts'));
  builds.push({
    ...common,
    entryPoints: ['test/integration/index.ts', ...tests.map((f) => `test/integration/${f}`)],
    outdir: 'out/test/integration',
    external: [...common.external, 'mocha'],
  });
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
