// The manifests the export tests run over, and golden files: `SKR8TR_UPDATE_GOLDEN=1` rewrites them
// (then read the diff before committing it).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasErrors, parseManifest, type AppSpec } from '../../../src/shared/manifest';

export const ROOT = path.resolve(__dirname, '../../..');
export const GOLDEN_DIR = path.join(ROOT, 'test/fixtures/export/golden');
/** The image the tests pass as `--image` for manifests that name none. */
export const TEST_IMAGE = 'registry.example.com/skr8tr/app:1';

/** Every manifest of the conformance set (both syntaxes), the example, and the export fixture. */
export function allManifests(): string[] {
  const dirs = ['test/fixtures/conformance', 'test/fixtures/yaml', 'test/fixtures/export', 'examples/hello'].map((d) => path.join(ROOT, d));
  return dirs.flatMap((d) => fs.readdirSync(d).filter((f) => /\.skr8tr(\.ya?ml)?$/.test(f)).sort().map((f) => path.join(d, f)));
}

/** The manifests with golden files: a service, a workspace of every key, a job, two syntaxes. */
export const GOLDEN = ['examples/hello/hello.skr8tr', 'test/fixtures/conformance/cart-svc.skr8tr', 'test/fixtures/conformance/analytics-job.skr8tr', 'test/fixtures/yaml/two-apps.skr8tr.yaml', 'test/fixtures/export/rich.skr8tr', 'test/fixtures/export/exec-check.skr8tr'].map((f) =>
  path.join(ROOT, f),
);

export function load(file: string): { specs: AppSpec[]; secrets: string[] } {
  const r = parseManifest(fs.readFileSync(file), file);
  assert.equal(hasErrors(r.diagnostics), false, `${file}: ${JSON.stringify(r.diagnostics)}`);
  return { specs: r.apps.map((a) => a.spec), secrets: r.apps.flatMap((a) => Object.values(a.secrets)) };
}

/** Whether any app of the manifest has a program (`exec`) export can run. */
export const hasExec = (specs: readonly AppSpec[]) => specs.some((s) => s.exec !== null && (s.type === 'service' || s.type === 'job'));

/**
 * HashiCorp's HCL parser (hcl2json in WebAssembly). Loaded with require and typed here: its own
 * typings pull in the DOM library (`/// <reference lib="dom" />`), which changes how the rest of the
 * project type-checks.
 */
export const parseHcl = (require('@cdktf/hcl2json') as { parse(file: string, text: string): Promise<Record<string, any>> }).parse;

export function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.SKR8TR_UPDATE_GOLDEN) {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.ok(fs.existsSync(file), `${file} is missing: run the tests with SKR8TR_UPDATE_GOLDEN=1 and read the new file`);
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `${name} differs from its golden file (SKR8TR_UPDATE_GOLDEN=1 rewrites it)`);
}
