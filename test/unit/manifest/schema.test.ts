// The JSON schema of the YAML form: generated from the key table, committed, and in agreement
// with the parser on valid and invalid manifests.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import { hasErrors, parseManifest } from '../../../src/shared/manifest';
import { specToJson } from '../../../src/shared/manifest/json';
import { KEYS } from '../../../src/shared/manifest/keys';
import { manifestSchema } from '../../../src/shared/manifest/schema';

const ROOT = path.resolve(__dirname, '../../..');
const YAML_DIR = path.join(ROOT, 'test/fixtures/yaml');
const CONFORMANCE = path.join(ROOT, 'test/fixtures/conformance');

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(manifestSchema());

function schemaAccepts(text: string): boolean {
  return parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((doc) => doc !== null)
    .every((doc) => validate(doc));
}

describe('JSON schema of the YAML form', () => {
  it('the committed schema file is the generated one (run `npm run schema` after changing keys.ts)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/skr8tr.schema.json'), 'utf8'));
    assert.deepEqual(committed, manifestSchema());
  });

  it('describes every key of the manifest language', () => {
    const schema = manifestSchema() as { properties: Record<string, { anyOf?: unknown[]; properties?: Record<string, unknown> }> };
    for (const k of KEYS) {
      if (k.scope === 'top' || k.scope === 'app') {
        assert.ok(schema.properties[k.key], `app key ${k.key}`);
      } else {
        const owner = KEYS.find((o) => o.value.kind === 'block' && o.value.scope === k.scope)!;
        const block = schema.properties[owner.key]!;
        const objects = [block, ...((block.anyOf as typeof block[]) ?? [])];
        const props = objects.find((o) => o.properties)?.properties ?? (objects.find((o) => (o as { items?: unknown }).items) as { items: { properties: Record<string, unknown> } } | undefined)?.items.properties;
        assert.ok(props?.[k.key], `${k.scope}.${k.key}`);
      }
    }
  });

  for (const file of fs.readdirSync(YAML_DIR)) {
    it(`accepts ${file}, which the parser accepts too`, () => {
      const text = fs.readFileSync(path.join(YAML_DIR, file), 'utf8');
      assert.equal(hasErrors(parseManifest(text, path.join(YAML_DIR, file)).diagnostics), false);
      assert.equal(schemaAccepts(text), true, JSON.stringify(validate.errors));
    });
  }

  for (const [yamlFile, lineFile] of [
    ['cart-svc.skr8tr.yaml', 'cart-svc.skr8tr'],
    ['react-app.skr8tr.yml', 'react-app.skr8tr'],
    ['vm-workload.skr8tr.yaml', 'vm-workload.skr8tr'],
  ] as const) {
    it(`${yamlFile} means exactly what ${lineFile} means`, () => {
      const y = parseManifest(fs.readFileSync(path.join(YAML_DIR, yamlFile)), yamlFile, { dir: CONFORMANCE });
      const l = parseManifest(fs.readFileSync(path.join(CONFORMANCE, lineFile)), lineFile, { dir: CONFORMANCE });
      assert.deepEqual(y.apps.map((a) => specToJson(a.spec)), l.apps.map((a) => specToJson(a.spec)));
      assert.deepEqual(y.diagnostics.map((d) => d.message), l.diagnostics.map((d) => d.message));
    });
  }

  const invalid: Record<string, string> = {
    'a port out of range': 'app: a\nexec: /bin/x\nport: 70000\n',
    'a misspelt choice': 'app: a\nexec: /bin/x\nrestart: sometimes\n',
    'a size without a unit': 'app: a\nexec: /bin/x\nram: 4\n',
    'a bad duration': 'app: a\nexec: /bin/x\ndrain: soon\n',
    'a bad env name': 'app: a\nexec: /bin/x\nenv:\n  1BAD: x\n',
    'a key in the wrong block': 'app: a\nexec: /bin/x\nhealth:\n  check: GET /\n  port: 80\n',
    'a bad app name': 'app: "my app"\nexec: /bin/x\n',
    'a percentage above 100': 'app: a\nexec: /bin/x\nscale:\n  cpu-above: 120\n',
    'a map where a value goes': 'app: a\nexec:\n  path: /bin/x\n',
  };
  for (const [what, text] of Object.entries(invalid)) {
    it(`refuses ${what}, as the parser does`, () => {
      assert.equal(hasErrors(parseManifest(text, '/m/a.skr8tr.yaml').diagnostics), true, 'parser');
      assert.equal(schemaAccepts(text), false, 'schema');
    });
  }
});
