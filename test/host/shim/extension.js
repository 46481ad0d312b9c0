// A test shim: when code-server starts with SKR8TR_HOST_TESTS_INDEX set, run the extension-host
// suite there (as @vscode/test-electron's extensionTestsPath would) and write the results to
// SKR8TR_HOST_TESTS_OUT. Does nothing otherwise.
const fs = require('node:fs');

exports.activate = async function activate() {
  const index = process.env.SKR8TR_HOST_TESTS_INDEX;
  const out = process.env.SKR8TR_HOST_TESTS_OUT;
  if (!index || !out) return;
  let result;
  try {
    result = { ok: true, ...(await require(index).run()) };
  } catch (err) {
    result = { ok: false, error: String((err && err.stack) || err), ...((err && err.results) || {}) };
  }
  fs.writeFileSync(`${out}.tmp`, JSON.stringify(result, null, 2));
  fs.renameSync(`${out}.tmp`, out);
};

exports.deactivate = function deactivate() {};
