// The compose project the import's integration and end-to-end tests bring as it is: `web` (a Node
// web service, the HTTP fixture) depends_on `redis` (service_healthy, with a healthcheck) and on
// `migrate` (service_completed_successfully), which depends_on redis too; redis names only its
// image, so the import makes it Debian's redis-server (the native recipe).

export interface ShopCompose {
  webPort: number;
  redisPort: number;
  /** How web runs (a compose `command` list). */
  web: string[];
  /** How the migration runs (a compose `command` list). */
  migrate: string[];
  /** More environment of the migration. */
  migrateEnv?: Record<string, string>;
}

export function shopCompose(o: ShopCompose): string {
  const list = (argv: string[]) => `[${argv.map((a) => JSON.stringify(a)).join(', ')}]`;
  return [
    'services:',
    '  web:',
    '    build: .',
    `    command: ${list(o.web)}`,
    '    ports:',
    `      - "${o.webPort}:3000"`,
    '    environment:',
    '      REDIS_URL: redis://redis:6379/0',
    '      FIXTURE_VERSION: imported',
    '    healthcheck:',
    '      test: ["CMD", "curl", "-f", "http://localhost:3000/health"]',
    '    depends_on:',
    '      redis:',
    '        condition: service_healthy',
    '      migrate:',
    '        condition: service_completed_successfully',
    '  migrate:',
    '    build: .',
    `    command: ${list(o.migrate)}`,
    '    environment:',
    '      REDIS_URL: redis://redis:6379/0',
    ...Object.entries(o.migrateEnv ?? {}).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`),
    '    depends_on:',
    '      redis:',
    '        condition: service_healthy',
    '  redis:',
    '    image: redis:7',
    '    ports:',
    `      - "${o.redisPort}:6379"`,
    '    healthcheck:',
    '      test: ["CMD", "redis-cli", "ping"]',
    '      interval: 5s',
    '',
  ].join('\n');
}
