// What each bundle holds, from esbuild's metafile of a build made here in memory with the options
// of scripts/bundles.mjs: the extension carries no daemon, CLI or export code, no validator library
// and no YAML parser (it requires dist/yaml-syntax.js and dist/export.js when it needs them); the
// CLI no daemon (it requires dist/conductor.js and dist/agent.js to run one); the agent no manifest
// parser; no bundle the whole of zod (only zod/mini, with English messages alone) or a package
// that was replaced. Sizes are not asserted here: `npm run size` and `npm run bench:activation`
// report them.
import * as assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { BUNDLES } from '../../scripts/bundles.mjs';
import { bundleContents, originOf, type BundleContents, type Metafile } from '../../scripts/bundle-contents';

async function contents(name: string): Promise<BundleContents & { js: string }> {
  const bundle = BUNDLES.find((b) => b.name === name);
  assert.ok(bundle, `no bundle named ${name}`);
  const { metafile, outputFiles } = await esbuild.build({ ...bundle.options, write: false, sourcemap: false, metafile: true, logLevel: 'silent' });
  return { ...bundleContents(metafile as Metafile), js: outputFiles.find((f) => f.path.endsWith('.js'))!.text };
}

/** The inputs of a bundle that come from any of these origins (packages, or rooms and files of src/). */
function from(c: BundleContents, origins: string[]): string[] {
  return c.inputs.filter((input) => origins.some((o) => originOf(input) === o || input === o || input.startsWith(`${o}/`)));
}

describe('what each bundle holds (esbuild metafile)', function () {
  // Building takes a few seconds on a busy machine; nothing here waits on a clock.
  this.timeout(60_000);
  const built = new Map<string, Promise<BundleContents & { js: string }>>();
  const bundle = (name: string) => {
    if (!built.has(name)) built.set(name, contents(name));
    return built.get(name)!;
  };

  it('the extension: no daemon, CLI or export code, no zod, no YAML parser', async () => {
    const c = await bundle('extension');
    assert.deepEqual(from(c, ['src/conductor', 'src/agent', 'src/cli', 'src/export', 'src/shared/manifest/yaml-syntax.ts', 'zod', 'yaml', 'chokidar', 'picomatch', 'dotenv']), []);
    assert.ok(c.inputs.includes('src/shared/manifest/yaml-syntax-lazy.ts'), 'the YAML reader is required lazily');
  });

  it('the YAML reader the extension requires lazily holds the reader and the yaml package', async () => {
    const c = await bundle('yaml-syntax');
    assert.ok(c.inputs.includes('src/shared/manifest/yaml-syntax.ts'));
    assert.ok(c.origins.some((o) => o.origin === 'yaml'));
    assert.deepEqual(from(c, ['src/extension', 'src/conductor', 'zod']), []);
  });

  it('the agent: no manifest parser, no Conductor code, no YAML', async () => {
    const c = await bundle('agent');
    assert.deepEqual(from(c, ['src/conductor', 'src/shared/manifest', 'src/extension', 'src/export', 'yaml', 'chokidar']), []);
  });

  it('the CLI: requires the daemons\' own bundles to run them, rather than carrying copies', async () => {
    const c = await bundle('cli');
    const daemonCode = from(c, ['src/conductor', 'src/agent', 'zod', 'chokidar', 'picomatch', 'dotenv']).filter((i) => !/^src\/(conductor|agent)\/usage\.ts$/.test(i));
    assert.deepEqual(daemonCode, []);
  });

  it('the CLI: no export code and no YAML parser (`skr8tr export` and a YAML manifest require their bundles)', async () => {
    const c = await bundle('cli');
    assert.deepEqual(from(c, ['src/export', 'src/shared/manifest/yaml-syntax.ts', 'yaml']), []);
    assert.ok(c.inputs.includes('src/shared/manifest/yaml-syntax-lazy.ts'), 'the YAML reader is required lazily');
    assert.match(c.js, /require\("\.\/export\.js"\)|import\("\.\/export\.js"\)/, 'export.js is required when `skr8tr export` runs');
  });

  it('the Conductor: no extension, CLI or export code', async () => {
    const c = await bundle('conductor');
    assert.deepEqual(from(c, ['src/extension', 'src/cli', 'src/export']), []);
  });

  it('the extension binds the vscode API and each node module once (one namespace object, not a copy in every file)', async () => {
    const { js } = await bundle('extension');
    const requires = [...js.matchAll(/require\("(vscode|node:[a-z/_]+)"\)/g)].map((m) => m[1]!);
    assert.ok(requires.includes('vscode'));
    assert.deepEqual(requires, [...new Set(requires)]);
  });

  for (const name of BUNDLES.map((b) => b.name)) {
    it(`${name}: only zod/mini and its English messages, no execa`, async () => {
      const c = await bundle(name);
      assert.deepEqual(
        c.inputs.filter((i) => /node_modules\/zod\/(v4\/)?classic\//.test(i) || (/node_modules\/zod\/v4\/locales\//.test(i) && !/\/(en|index)\.js$/.test(i))),
        [],
      );
      assert.deepEqual(from(c, ['execa']), []);
    });
  }
});

describe('reading a metafile (scripts/bundle-contents.ts)', () => {
  it('names each input by its npm package (the innermost, scoped or not) or its room of src/', () => {
    assert.equal(originOf('node_modules/yaml/dist/parse/lexer.js'), 'yaml');
    assert.equal(originOf('node_modules/@sindresorhus/merge-streams/index.js'), '@sindresorhus/merge-streams');
    assert.equal(originOf('node_modules/chokidar/node_modules/readdirp/esm/index.js'), 'readdirp');
    assert.equal(originOf('src/conductor/state.ts'), 'src/conductor');
    assert.equal(originOf('src/shared/manifest/keys.ts'), 'src/shared/manifest');
    assert.equal(originOf('src/shared/home.ts'), 'src/shared');
  });

  it('sums bytes by origin, largest first, and leaves out inputs that contributed nothing', () => {
    const meta: Metafile = {
      outputs: {
        'dist/x.js.map': { bytes: 9, inputs: {} },
        'dist/x.js': {
          bytes: 1000,
          entryPoint: 'src/x/main.ts',
          inputs: {
            'src/x/main.ts': { bytesInOutput: 100 },
            'src/x/other.ts': { bytesInOutput: 50 },
            'node_modules/big/a.js': { bytesInOutput: 300 },
            'node_modules/big/b.js': { bytesInOutput: 300 },
            'node_modules/shaken/index.js': { bytesInOutput: 0 },
          },
        },
      },
    };
    const c = bundleContents(meta);
    assert.equal(c.bytes, 1000);
    assert.deepEqual(c.origins, [
      { origin: 'big', bytes: 600 },
      { origin: 'src/x', bytes: 150 },
    ]);
    assert.ok(!c.inputs.includes('node_modules/shaken/index.js'));
  });
});
