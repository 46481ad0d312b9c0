// How the editor shows a manifest's hints (advice, not problems). The `port` advice ("make sure the
// program listens on $PORT") fits nearly every manifest, since most programs read PORT from their
// environment: it is a faint Hint, with no squiggle and no Problems entry, until a replica of that
// app actually failed because it bound the ingress's port; then it is a Warning. Other hints are
// Information. Pure; language.ts maps the level to VS Code's severity.
import { isPortAdvice } from '../shared/manifest/cross-checks';
import type { Diagnostic } from '../shared/manifest/diagnostics';
import type { ParsedApp } from '../shared/manifest/model';

export type HintLevel = 'hint' | 'information' | 'warning';

export function hintLevel(h: Diagnostic, apps: readonly ParsedApp[], failedToBind: ReadonlySet<string>): HintLevel {
  if (!isPortAdvice(h.message)) return 'information';
  const app = apps.find((a) => {
    const pos = a.positions.get('port') ?? a.positions.get('serve.port') ?? a.pos;
    return pos.line === h.line && pos.column === h.column;
  });
  return app && failedToBind.has(app.spec.name) ? 'warning' : 'hint';
}
