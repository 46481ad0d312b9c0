// `npm run test:host:electron`: the extension-host suite in a VS Code that @vscode/test-electron
// downloads. Works where VS Code's download servers are reachable (not on the build machines here:
// there the same suite runs inside code-server, see test/e2e/host.e2e.ts).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(root, 'scripts/build-host-tests.mjs')], { cwd: root, stdio: 'inherit' });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'skr8tr-host-'));
  const workspace = path.join(work, 'workspace');
  const { prepareWorkspace } = await import('./workspace');
  prepareWorkspace(workspace, await (await import('../integration/load')).freePort());
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out/host-tests/index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { SKR8TR_ROOT: root, SKR8TR_HOME: path.join(work, 'home'), SKR8TR_HOST_WORKSPACE: workspace },
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`extension-host tests failed: ${(err as Error).message}`);
  process.exit(1);
});
