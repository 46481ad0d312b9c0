// The product version, compiled into every bundle from package.json (see scripts/build.mjs).
// Daemons and clients compare it to decide whether they can talk to each other.
declare const SKR8TR_VERSION: string | undefined;

export const VERSION: string = typeof SKR8TR_VERSION === 'string' ? SKR8TR_VERSION : '0.0.0-dev';
