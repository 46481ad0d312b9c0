// The extension's contributions (package.json) against the code: the command table, the context
// values the trees produce, the files the manifest points at, and what gets packaged.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../../src/extension/command-list';
import { children, item, type ViewId } from '../../../src/extension/tree-items';
import { KEYS } from '../../../src/shared/manifest/keys';
import { modelOf, nodeView, replicaView, rolloutView, workloadSummary } from './fixtures';

const ROOT = path.resolve(__dirname, '../../..');

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

interface Manifest {
  main: string;
  bin?: Record<string, string>;
  engines: { vscode: string };
  extensionKind: string[];
  activationEvents: string[];
  capabilities: { untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string }; virtualWorkspaces?: unknown };
  devDependencies: Record<string, string>;
  contributes: {
    commands: { command: string; title: string; icon?: string }[];
    languages: { id: string; extensions?: string[]; configuration?: string; icon?: { light: string; dark: string } }[];
    grammars: { language: string; scopeName: string; path: string }[];
    yamlValidation: { fileMatch: string[]; url: string }[];
    viewsContainers: { activitybar: { id: string; title: string; icon: string }[] };
    views: Record<string, { id: string; name: string; icon?: string }[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    menus: Record<string, MenuEntry[]>;
  };
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const contributed = pkg.contributes;
const menus = contributed.menus;
const COMMAND_IDS = Object.keys(COMMANDS) as (keyof typeof COMMANDS)[];

/** The regular expression of `key =~ /…/flags` in a when clause, as VS Code reads it. */
function whenRegex(when: string, key: string): RegExp {
  const at = when.indexOf(`${key} =~ `);
  assert.ok(at >= 0, `\`${key} =~ /…/\` in "${when}"`);
  let i = at + key.length + 4;
  assert.equal(when[i], '/', `a regular expression after ${key} =~ in "${when}"`);
  let source = '';
  let inClass = false;
  for (i++; i < when.length; i++) {
    const c = when[i]!;
    if (c === '\\') {
      source += c + when[++i];
      continue;
    }
    if (c === '/' && !inClass) break;
    if (c === '[') inClass = true;
    if (c === ']') inClass = false;
    source += c;
  }
  assert.ok(i < when.length, `the regular expression in "${when}" is closed`);
  const flags = /^[a-z]*/.exec(when.slice(i + 1))![0];
  return new RegExp(source, flags);
}

/** The `&&` terms of a when clause. */
const terms = (when: string | undefined): string[] => (when ?? '').split('&&').map((t) => t.trim());

/** A cluster with every shape of element the trees can show. */
function everyContextValue(): Set<string> {
  const { model } = modelOf({
    nodes: [nodeView('local'), nodeView('remote.example:7001', { connected: false })],
    workloads: [
      workloadSummary('rolling', { port: 8080, ingress: { port: 8080, address: '127.0.0.1', backends: 1 }, generation: 2, rollout: rolloutView('ro-1', { app: 'rolling' }) }),
      workloadSummary('paused', { port: 9000, generation: 2, rollout: rolloutView('ro-2', { app: 'paused', state: 'paused' }) }),
      workloadSummary('back', { generation: 2, rollout: rolloutView('ro-3', { app: 'back', state: 'rolling-back' }) }),
      workloadSummary('steady'),
      workloadSummary('served', { port: 3000 }),
      workloadSummary('watched', { port: 3001, watching: true, watchable: true }),
    ],
    replicas: [
      replicaView('rolling-1-a', { app: 'rolling', generation: 1, port: 40001, state: 'ready' }),
      replicaView('rolling-1-b', { app: 'rolling', generation: 1, port: 40002, state: 'draining' }),
      replicaView('rolling-2-a', { app: 'rolling', generation: 2, port: 40003, state: 'starting' }),
      replicaView('rolling-2-b', { app: 'rolling', generation: 2, node: null, state: 'pending' }),
      replicaView('steady-1-a', { app: 'steady', state: 'ready' }),
      replicaView('steady-1-b', { app: 'steady', state: 'stopped' }),
      replicaView('paused-2-a', { app: 'paused', generation: 2, node: 'remote.example:7001', port: 9000, state: 'failed' }),
    ],
    rollouts: [rolloutView('ro-0', { app: 'steady', state: 'succeeded', endedAt: 2_000 }), rolloutView('ro-9', { app: 'steady', state: 'aborted', endedAt: 2_000 })],
  });
  const values = new Set<string>();
  const visit = (view: ViewId, parent: string | null) => {
    for (const key of children(model, view, parent)) {
      values.add(item(model, key, 5_000)!.contextValue);
      visit(view, key);
    }
  };
  for (const view of ['workloads', 'nodes', 'rollouts'] as const) visit(view, null);
  return values;
}

/** A .vscodeignore glob (minimatch without matchBase, as vsce uses it) as a regular expression. */
function globRegex(glob: string): RegExp {
  const source = glob
    .replace(/\/$/, '/**')
    .split(/(\*\*\/|\*\*|\*|\?)/)
    .map((part) => {
      if (part === '**/') return '(?:.*/)?';
      if (part === '**') return '.*';
      if (part === '*') return '[^/]*';
      if (part === '?') return '[^/]';
      return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** Whether vsce packages a file, by .vscodeignore (the last matching pattern wins; `!` re-includes). */
function packaged(file: string, patterns: string[]): boolean {
  let included = true;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (globRegex(negated ? p.slice(1) : p).test(file)) included = negated;
  }
  return included;
}

const rel = (p: string) => path.posix.normalize(p.replace(/^\.\//, ''));

describe('package.json contributions', () => {
  describe('commands', () => {
    it('every contributed command is in COMMANDS, with the same title', () => {
      for (const c of contributed.commands) {
        assert.ok(c.command in COMMANDS, `${c.command} is not in command-list.ts`);
        assert.equal(c.title, COMMANDS[c.command as keyof typeof COMMANDS].title, c.command);
      }
    });

    it('every command of COMMANDS is contributed, once', () => {
      const ids = contributed.commands.map((c) => c.command);
      assert.equal(new Set(ids).size, ids.length, 'no command is contributed twice');
      assert.deepEqual([...ids].sort(), [...COMMAND_IDS].sort());
    });

    it('titles are prefixed with the extension name', () => {
      for (const id of COMMAND_IDS) assert.match(COMMANDS[id].title, /^Skr8tr: \S/, id);
    });

    it('every command used in a menu exists', () => {
      const known = new Set(contributed.commands.map((c) => c.command));
      for (const [menu, entries] of Object.entries(menus)) {
        for (const e of entries) assert.ok(known.has(e.command) && e.command in COMMANDS, `${menu}: ${e.command}`);
      }
    });

    it('every command of an inline or title button has an icon', () => {
      const icons = new Map(contributed.commands.map((c) => [c.command, c.icon]));
      const buttons = [
        ...menus['view/item/context']!.filter((e) => e.group?.startsWith('inline')),
        ...menus['view/title']!.filter((e) => e.group?.startsWith('navigation')),
        ...menus['editor/title']!.filter((e) => e.group?.startsWith('navigation')),
      ];
      assert.ok(buttons.length > 0);
      for (const e of buttons) assert.match(icons.get(e.command) ?? '', /^\$\([a-z0-9~-]+\)$/, e.command);
    });

    it('commands that need trust are hidden from the palette in an untrusted workspace', () => {
      const palette = new Map(menus.commandPalette!.map((e) => [e.command, e.when]));
      for (const id of COMMAND_IDS) {
        if (COMMANDS[id].trusted) assert.ok(terms(palette.get(id)).includes('isWorkspaceTrusted'), id);
      }
    });

    it('command links in the welcome views exist', () => {
      for (const w of contributed.viewsWelcome) {
        for (const m of w.contents.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(m[1]! in COMMANDS, m[1]);
      }
    });
  });

  describe('manifest menus (explorer and editor)', () => {
    for (const menu of ['explorer/context', 'editor/context']) {
      for (const command of ['skr8tr.rollout', 'skr8tr.up', 'skr8tr.down']) {
        it(`${menu}: ${command} needs a trusted workspace and a manifest`, () => {
          const entry = menus[menu]!.find((e) => e.command === command);
          assert.ok(entry, `${command} is in ${menu}`);
          assert.ok(terms(entry.when).includes('isWorkspaceTrusted'), entry.when);
          const re = whenRegex(entry.when!, 'resourceFilename');
          for (const name of ['a.skr8tr', 'b.skr8tr.yaml', 'c.skr8tr.yml']) assert.ok(re.test(name), `${re} matches ${name}`);
          for (const name of ['d.yaml', 'skr8tr.txt', 'e.skr8tr.json', 'f.skr8tr.bak', 'g.yml']) assert.ok(!re.test(name), `${re} does not match ${name}`);
        });
      }
    }

    for (const menu of ['explorer/context', 'editor/context']) {
      for (const command of ['skr8tr.exportKubernetes', 'skr8tr.exportNomad']) {
        it(`${menu}: ${command} shows on manifests, trusted or not (it starts nothing)`, () => {
          const entry = menus[menu]!.find((e) => e.command === command);
          assert.ok(entry, `${command} is in ${menu}`);
          assert.equal(COMMANDS[command as keyof typeof COMMANDS].trusted, false);
          const re = whenRegex(entry.when!, 'resourceFilename');
          for (const name of ['a.skr8tr', 'b.skr8tr.yaml', 'c.skr8tr.yml']) assert.ok(re.test(name), `${re} matches ${name}`);
          for (const name of ['d.yaml', 'e.skr8tr.json']) assert.ok(!re.test(name), `${re} does not match ${name}`);
        });
      }
    }

    it('the editor title button needs a trusted workspace and a manifest', () => {
      for (const e of menus['editor/title']!) {
        assert.ok(terms(e.when).includes('isWorkspaceTrusted'), e.command);
        assert.ok(whenRegex(e.when!, 'resourceFilename').test('web.skr8tr'), e.command);
      }
    });
  });

  describe('activation and trust', () => {
    it('activates on manifests, never on startup', () => {
      assert.ok(pkg.activationEvents.length > 0);
      for (const e of pkg.activationEvents) {
        assert.notEqual(e, '*');
        assert.notEqual(e, 'onStartupFinished');
      }
      assert.ok(pkg.activationEvents.includes('onLanguage:skr8tr'));
    });

    it('runs where the workspace is', () => {
      assert.deepEqual(pkg.extensionKind, ['workspace']);
    });

    it('declares how it behaves in an untrusted workspace', () => {
      const untrusted = pkg.capabilities.untrustedWorkspaces;
      assert.ok(untrusted, 'capabilities.untrustedWorkspaces');
      assert.ok([true, false, 'limited'].includes(untrusted.supported));
      if (untrusted.supported === 'limited') assert.ok((untrusted.description ?? '').length > 0, 'a limited support says what is limited');
    });

    it('targets VS Code 1.99, and type-checks against the same API', () => {
      assert.equal(pkg.engines.vscode, '^1.99.0');
      const types = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@types/vscode/package.json'), 'utf8')) as { version: string };
      assert.match(types.version, /^1\.99\.\d+$/);
      assert.match(pkg.devDependencies['@types/vscode']!, /^[~^]?1\.99\./);
    });
  });

  describe('tree item menus', () => {
    const contextValues = everyContextValue();

    it('the trees produce the context values the menus are written for', () => {
      for (const v of [
        'workload:port:rolling:running',
        'workload:port:rolling:paused',
        'workload:rolling:rolling-back',
        'workload',
        'workload:port',
        'workload:port:watching',
        'replica:live',
        'replica:draining',
        'replica:stopped',
        'replica:failed',
        'rollout:rolling:running',
        'rollout:rolling:paused',
        'rollout:ended:succeeded',
        'generation:new',
        'generation:old',
        'node:connected',
        'node:away',
        'ports',
        'port',
      ]) {
        assert.ok(contextValues.has(v), `${v} in ${[...contextValues].join(', ')}`);
      }
    });

    it('every `viewItem =~` regex matches a context value the trees produce', () => {
      for (const e of menus['view/item/context']!) {
        const re = whenRegex(e.when!, 'viewItem');
        assert.ok(
          [...contextValues].some((v) => re.test(v)),
          `${e.command} (${e.when}) matches none of ${[...contextValues].join(', ')}`,
        );
      }
    });

    /** The context values for which a command shows in a tree item's menu. */
    function shownFor(command: string): string[] {
      const res = menus['view/item/context']!.filter((e) => e.command === command).map((e) => whenRegex(e.when!, 'viewItem'));
      assert.ok(res.length > 0, command);
      return [...contextValues].filter((v) => res.some((re) => re.test(v))).sort();
    }

    it('each item command shows on the right items', () => {
      assert.deepEqual(shownFor('skr8tr.openInBrowser'), ['workload:port', 'workload:port:rolling:paused', 'workload:port:rolling:running', 'workload:port:watching']);
      assert.deepEqual(shownFor('skr8tr.stopReplica'), ['replica:live']);
      assert.deepEqual(shownFor('skr8tr.pauseRollout'), ['rollout:rolling:running', 'workload:port:rolling:running']);
      assert.deepEqual(shownFor('skr8tr.resumeRollout'), ['rollout:rolling:paused', 'workload:port:rolling:paused']);
      assert.deepEqual(shownFor('skr8tr.abortRollout'), [
        'rollout:rolling:paused',
        'rollout:rolling:rolling-back',
        'rollout:rolling:running',
        'workload:port:rolling:paused',
        'workload:port:rolling:running',
        'workload:rolling:rolling-back',
      ]);
      const workloads = [...contextValues].filter((v) => v.startsWith('workload')).sort();
      assert.deepEqual(shownFor('skr8tr.unwatch'), ['workload:port:watching']);
      assert.deepEqual(shownFor('skr8tr.watch'), workloads.filter((v) => !v.endsWith(':watching')));
      for (const c of ['skr8tr.scale', 'skr8tr.rollback', 'skr8tr.down']) assert.deepEqual(shownFor(c), workloads, c);
      assert.deepEqual(
        shownFor('skr8tr.showLogs'),
        [...contextValues].filter((v) => v.startsWith('workload') || v.startsWith('replica')).sort(),
      );
    });

    it('view menus and welcome content name declared views', () => {
      const views = Object.values(contributed.views).flatMap((vs) => vs.map((v) => v.id));
      assert.deepEqual(views, ['skr8tr.workloads', 'skr8tr.nodes', 'skr8tr.rollouts']);
      for (const w of contributed.viewsWelcome) assert.ok(views.includes(w.view), w.view);
      for (const e of menus['view/title']!) {
        const eq = /\bview == ([\w.]+)/.exec(e.when ?? '');
        if (eq) assert.ok(views.includes(eq[1]!), e.when);
        else assert.ok(views.every((v) => whenRegex(e.when!, 'view').test(v)), e.when);
      }
      for (const container of Object.keys(contributed.views)) assert.ok(contributed.viewsContainers.activitybar.some((c) => c.id === container), container);
    });
  });

  describe('files', () => {
    it('the YAML schema exists and is JSON', () => {
      assert.equal(contributed.yamlValidation.length, 1);
      const v = contributed.yamlValidation[0]!;
      assert.deepEqual(v.fileMatch, ['*.skr8tr.yaml', '*.skr8tr.yml']);
      const file = path.join(ROOT, v.url);
      assert.ok(fs.existsSync(file), v.url);
      const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as { type?: string };
      assert.equal(schema.type, 'object');
    });

    it('the grammar exists, is JSON, and matches its contribution', () => {
      assert.equal(contributed.grammars.length, 1);
      const g = contributed.grammars[0]!;
      assert.equal(g.language, 'skr8tr');
      assert.ok(contributed.languages.some((l) => l.id === g.language));
      const grammar = JSON.parse(fs.readFileSync(path.join(ROOT, g.path), 'utf8')) as { scopeName: string; repository: Record<string, unknown> };
      assert.equal(grammar.scopeName, g.scopeName);
      const text = JSON.stringify(grammar);
      for (const m of text.matchAll(/"include":"#([\w-]+)"/g)) assert.ok(m[1]! in grammar.repository, `#${m[1]} is in the repository`);
    });

    it('the grammar highlights every key of the language', () => {
      const grammar = JSON.parse(fs.readFileSync(path.join(ROOT, contributed.grammars[0]!.path), 'utf8')) as { repository: { entry: { begin: string }; app: { match: string } } };
      const entry = new RegExp(grammar.repository.entry.begin);
      for (const k of KEYS) {
        if (k.key === 'app') assert.ok(new RegExp(grammar.repository.app.match).test('app web'));
        else assert.ok(entry.test(`  ${k.key} x`), k.key);
      }
    });

    it('the language configuration exists and is JSON; block headers indent the next line', () => {
      const lang = contributed.languages.find((l) => l.id === 'skr8tr')!;
      assert.deepEqual(lang.extensions, ['.skr8tr']);
      const config = JSON.parse(fs.readFileSync(path.join(ROOT, lang.configuration!), 'utf8')) as { comments: { lineComment: string }; indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string } };
      assert.equal(config.comments.lineComment, '#');
      const increase = new RegExp(config.indentationRules.increaseIndentPattern);
      for (const k of KEYS) {
        if (k.value.kind === 'block' || k.value.kind === 'map') {
          const header = k.key === 'app' ? 'app web' : `  ${k.key}`;
          assert.ok(increase.test(header), header);
          assert.ok(increase.test(`${header} {`), `${header} {`);
        }
      }
      assert.ok(!increase.test('  port 8080'));
      assert.ok(new RegExp(config.indentationRules.decreaseIndentPattern).test('  }'));
    });

    it('every file package.json points at exists', () => {
      const lang = contributed.languages.find((l) => l.id === 'skr8tr')!;
      const files = [
        lang.icon!.light,
        lang.icon!.dark,
        ...contributed.viewsContainers.activitybar.map((c) => c.icon),
        ...Object.values(contributed.views).flatMap((vs) => vs.flatMap((v) => (v.icon ? [v.icon] : []))),
      ];
      for (const f of files) assert.ok(fs.existsSync(path.join(ROOT, f)), f);
    });

    describe('.vscodeignore', () => {
      const patterns = fs
        .readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'));

      it('re-includes the bundle and the media, syntaxes and schema folders', () => {
        assert.ok(patterns.includes('!dist/extension.js'));
        for (const folder of ['media', 'syntaxes', 'schema']) assert.ok(patterns.includes(`!${folder}/**`), folder);
        for (const file of ['dist/extension.js', 'dist/export.js', 'dist/yaml-syntax.js', 'media/skr8tr.svg', 'syntaxes/skr8tr.tmLanguage.json', 'schema/skr8tr.schema.json', 'package.json']) {
          assert.ok(packaged(file, patterns), `${file} is packaged`);
        }
      });

      it('packages the timeline panel\'s page (script and style), not its source map', () => {
        const panel = fs.readFileSync(path.join(ROOT, 'src/extension/timeline-panel.ts'), 'utf8');
        assert.match(panel, /joinPath\(scripts, 'timeline\.js'\)/);
        assert.match(panel, /joinPath\(media, 'timeline\.css'\)/);
        for (const file of ['dist/webview/timeline.js', 'media/timeline.css']) assert.ok(packaged(file, patterns), `${file} is packaged`);
        assert.ok(!packaged('dist/webview/timeline.js.map', patterns));
        assert.ok(fs.existsSync(path.join(ROOT, 'media/timeline.css')));
      });

      it('packages every file the manifest points at, and leaves the sources out', () => {
        const lang = contributed.languages.find((l) => l.id === 'skr8tr')!;
        const needed = [
          pkg.main,
          ...Object.values(pkg.bin ?? {}),
          lang.configuration!,
          lang.icon!.light,
          ...contributed.grammars.map((g) => g.path),
          ...contributed.yamlValidation.map((v) => v.url),
          ...contributed.viewsContainers.activitybar.map((c) => c.icon),
        ].map(rel);
        for (const f of needed) assert.ok(packaged(f, patterns), `${f} is packaged`);
        for (const f of ['src/extension/main.ts', 'test/unit/.mocharc.json', 'node_modules/yaml/package.json', 'dist/extension.js.map', 'dist/meta/extension.json', 'tsconfig.json']) {
          assert.ok(!packaged(f, patterns), `${f} is left out`);
        }
      });
    });
  });
});

describe('the README as the Marketplace shows it', () => {
  it('has no relative links (vsce refuses them without a GitHub repository URL)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    const relative = links.filter((l) => !/^(https?:|command:|#)/.test(l));
    assert.deepEqual(relative, []);
  });
});
