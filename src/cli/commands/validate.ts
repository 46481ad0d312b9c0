// `skr8tr validate FILE [--json]`: check a manifest; exit 0 with no errors, 1 with errors.
import { formatDiagnostic, hasErrors } from '../../shared/manifest';
import { fileChecks } from '../../shared/manifest/file-checks';
import { manifestToJson } from '../../shared/manifest/json';
import { parseCommandArgs } from '../args';
import type { CommandContext } from '../context';
import { loadManifest } from '../manifest-file';

export const usage = 'skr8tr validate FILE [--json]';

export async function validate(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, usage, { min: 1, max: 1 });
  const file = positionals[0]!;
  const { result } = loadManifest(file);
  // What this machine's files say (a missing program or env file): warnings beside the parser's.
  const diagnostics = [...result.diagnostics, ...fileChecks(result.apps, file)];
  if (values.json) {
    ctx.out(JSON.stringify(manifestToJson(result.apps, diagnostics), null, 2));
  } else {
    for (const d of [...diagnostics, ...result.hints].sort((a, b) => a.line - b.line || a.column - b.column)) ctx.err(formatDiagnostic(d));
    if (!hasErrors(result.diagnostics)) {
      const names = result.apps.map((a) => a.spec.name).join(', ');
      ctx.err(`${file}: ok (${result.apps.length} app${result.apps.length === 1 ? '' : 's'}: ${names})`);
    }
  }
  return hasErrors(result.diagnostics) ? 1 : 0;
}
