// The extension's entry point (filled in by the extension issue).
export function activate(): void {}
export function deactivate(): void {}
