// Golden import fixtures (test/fixtures/import/<case>/): public projects' own files in source/,
// copied with their licences (ATTRIBUTION.md), what an import makes of them in expected.skr8tr and
// expected-report.json. Every produced manifest passes validation with no error, and importing
// twice gives the same text. `SKR8TR_UPDATE_GOLDEN=1` rewrites the expected files (read the diff).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { importProject, type ImportOptions, type ProjectSnapshot } from '../../../src/import';
import { readProject } from '../../../src/import/read-project';
import { formatDiagnostic, hasErrors, parseManifest } from '../../../src/shared/manifest';

const ROOT = path.resolve(__dirname, '../../fixtures/import');

export async function snapshotOf(dir: string): Promise<ProjectSnapshot> {
  const c = JSON.parse(fs.readFileSync(path.join(dir, 'case.json'), 'utf8')) as { programs: string[]; cpus: number; root?: boolean };
  const read = await readProject(path.join(dir, 'source'), { trusted: false, env: {} });
  return { ...read, env: {}, programs: new Map(c.programs.map((p) => [p, p])), cpus: c.cpus, root: c.root ?? false };
}

function expect(file: string, actual: string): void {
  if (process.env.SKR8TR_UPDATE_GOLDEN) {
    fs.writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `${path.relative(ROOT, file)} differs (SKR8TR_UPDATE_GOLDEN=1 rewrites it)`);
}

describe('import: golden fixtures', () => {
  for (const name of fs.readdirSync(ROOT).sort()) {
    const dir = path.join(ROOT, name);
    it(`${name}: the manifest and report are the expected ones, and the manifest validates`, async () => {
      const options: ImportOptions = {};
      const r = importProject(await snapshotOf(dir), options);
      expect(path.join(dir, 'expected.skr8tr'), r.text);
      const report = { source: r.source, summary: r.summary, apps: r.apps, skipped: r.skipped, notes: r.notes };
      expect(path.join(dir, 'expected-report.json'), JSON.stringify(report, null, 2) + '\n');
      const parsed = parseManifest(r.text, path.join(dir, 'source', 'imported.skr8tr'));
      assert.equal(hasErrors(parsed.diagnostics), false, parsed.diagnostics.map(formatDiagnostic).join('\n'));
      assert.deepEqual(parsed.apps.map((a) => a.spec.name), r.apps);
      assert.ok(fs.existsSync(path.join(dir, 'ATTRIBUTION.md')), 'each fixture names its source and licence');
    });
  }
});
