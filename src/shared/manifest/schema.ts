// The JSON schema of the YAML form, generated from the key table, so that editors (the Red Hat
// YAML extension among them) can complete and check `*.skr8tr.yaml` files. `npm run schema`
// writes it to schema/skr8tr.schema.json; a test keeps that file equal to this output.
import { KEYS, keysIn, type KeyInfo, type Scope } from './keys';
import { LIMITS } from './model';

type Schema = Record<string, unknown>;

const DIGITS = '^\\+?[0-9]+$';
const patterns = {
  duration: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|MS|S|M|H)?$',
  bytes: '^[0-9]+(\\.[0-9]+)?\\s*([kKmMgG]?[bB]|[kKmMgG])$',
  percent: '^[0-9]+%?$',
  number: '^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)$',
  name: '^[A-Za-z_][A-Za-z0-9_]*$',
  url: '^https?://',
};

function describe(info: KeyInfo): Schema {
  const lines = [info.summary];
  if (info.default) lines.push(`Default: ${info.default}.`);
  return { description: lines.join(' '), markdownDescription: `${lines.join(' ')}\n\n\`\`\`\n${yamlExample(info)}\n\`\`\`` };
}

function yamlExample(info: KeyInfo): string {
  const [head, ...body] = info.example.split('\n');
  if (body.length === 0) {
    const value = head!.slice(info.key.length).trim();
    return `${info.key}: ${value}`;
  }
  return [`${info.key}:`, ...body.map((l) => `  ${l.trim().replace(/^(\S+)\s+/, '$1: ')}`)].join('\n');
}

function valueSchema(info: KeyInfo): Schema {
  const v = info.value;
  switch (v.kind) {
    case 'choice':
      if (info.key === 'ingress') return { anyOf: [{ type: 'boolean' }, { enum: [...v.choices] }] };
      return { enum: [...v.choices] };
    case 'words':
      return { anyOf: [{ type: 'string' }, { type: 'array', items: { type: ['string', 'number', 'boolean'] } }] };
    case 'line':
      return info.repeatable
        ? { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 } }] }
        : { type: 'string', minLength: 1 };
    case 'map':
      return {
        type: 'object',
        propertyNames: { pattern: patterns.name },
        maxProperties: LIMITS.envEntries,
        additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
      };
    case 'block': {
      const block = blockSchema(v.scope);
      if (info.key === 'health') return { anyOf: [{ type: 'string', pattern: '^(GET|get|tcp|TCP|exec|EXEC)\\b' }, block] };
      if (info.oneLine === 'words') return { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string' } }, block] };
      return info.repeatable ? { anyOf: [block, { type: 'array', items: block }] } : block;
    }
    case 'word':
      switch (v.type) {
        case 'integer': {
          const range = { minimum: info.min ?? 0, maximum: info.max ?? Number.MAX_SAFE_INTEGER };
          return { anyOf: [{ type: 'integer', ...range }, { type: 'string', pattern: DIGITS }] };
        }
        case 'number':
          return { anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string', pattern: patterns.number }] };
        case 'duration':
          return { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: patterns.duration }] };
        case 'bytes':
          return info.scope === 'vm'
            ? { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: patterns.bytes }] }
            : { type: 'string', pattern: patterns.bytes };
        case 'percent':
          return { anyOf: [{ type: 'integer', minimum: 0, maximum: 100 }, { type: 'string', pattern: patterns.percent }] };
        case 'boolean':
          return { anyOf: [{ type: 'boolean' }, { enum: ['true', 'false', 'yes', 'no', '1', '0', 1, 0] }] };
        case 'url':
          return { type: 'string', pattern: patterns.url };
        case 'name':
          return { type: 'string', pattern: patterns.name };
        case 'path':
        case 'string':
          return { type: 'string', minLength: 1 };
      }
  }
}

function blockSchema(scope: Scope): Schema {
  const properties: Record<string, Schema> = {};
  for (const info of keysIn(scope)) {
    properties[info.key] = { ...describe(info), ...valueSchema(info) };
    if (info.yamlAlias) properties[info.yamlAlias] = properties[info.key]!;
  }
  return { type: 'object', properties, additionalProperties: false };
}

/** The schema of one YAML document: one app. */
export function manifestSchema(): Schema {
  const app = blockSchema('app');
  const appKey = KEYS.find((k) => k.key === 'app' && k.scope === 'top')!;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://skr8tr.dev/schemas/manifest.schema.json',
    title: 'Skr8tr manifest (YAML form: one app a document)',
    type: 'object',
    required: ['app'],
    properties: {
      app: { ...describe(appKey), type: 'string', pattern: '^[A-Za-z0-9_.-]+$', maxLength: LIMITS.nameLength },
      ...(app.properties as Record<string, Schema>),
    },
    additionalProperties: false,
  };
}
