// Services that only name a container image (postgres, redis...), in one of three ways, always said
// in a note: a native recipe when its program is on PATH (redis-server on `--port ${PORT}`; postgres
// on a per-project data volume after an idempotent `initdb` job it needs), an app that runs from its
// image (`image X`, no `exec`: container apps come later, and `validate` says so), or a TODO app
// (`replicas 0`). Any database gets `ingress off`, one replica and a real readiness check. A recipe
// whose program refuses to run as root (PostgreSQL's initdb and postgres) is never chosen when the
// import runs as root: a recipe that cannot start is worse than none. Pure.
import { draft, type DraftApp, type ImageMode, type Notes, type ProjectSnapshot, type Where } from './model';

export interface ImageService {
  name: string;
  image: string;
  /** The port it is reached on (published, else the image's usual one). */
  port: number | null;
  env: ReadonlyMap<string, string>;
  /** The named volume that held its data, if any. */
  dataVolume: string | null;
  from: Where;
}

interface Recipe {
  /** Programs it needs on PATH. */
  programs: string[];
  defaultPort: number;
  /** Its programs refuse to run as root (`initdb: error: cannot be run as root`). */
  refusesRoot?: boolean;
  build(s: ImageService, port: number, programs: ReadonlyMap<string, string>): DraftApp[];
}

const base = (image: string) => image.split('@')[0]!.split(':')[0]!.split('/').pop()!;

const RECIPES: Record<string, Recipe> = {
  redis: {
    programs: ['redis-server', 'redis-cli'],
    defaultPort: 6379,
    build(s, port, programs) {
      const a = draft(s.name, s.from);
      a.exec = programs.get('redis-server')!;
      a.args = ['--port', '${PORT}', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      database(a, port);
      a.health = { check: ['exec', programs.get('redis-cli')!, '-p', '${PORT}', 'ping'], interval: null, timeout: null, retries: null };
      return [a];
    },
  },
  postgres: {
    programs: ['postgres', 'initdb', 'pg_isready'],
    defaultPort: 5432,
    refusesRoot: true,
    build(s, port, programs) {
      const data = `.skr8tr/volumes/${s.dataVolume ?? `${s.name}-data`}`;
      const user = s.env.get('POSTGRES_USER') ?? 'postgres';
      const init = draft(`${s.name}-init`, s.from);
      init.type = 'job';
      init.exec = 'sh';
      // Idempotent: a data folder that holds a cluster already is left as it is.
      init.args = ['-c', `test -f "$PGDATA/PG_VERSION" || exec ${programs.get('initdb')} -D "$PGDATA" -U "${user}" --auth=trust`];
      init.volumes = [{ path: data, env: 'PGDATA' }];
      const db = draft(s.name, s.from);
      db.exec = programs.get('postgres')!;
      db.args = ['-p', '${PORT}', '-k', '', '-c', 'listen_addresses=127.0.0.1'];
      db.volumes = [{ path: data, env: 'PGDATA' }];
      db.needs = [`${init.name}:completed`];
      database(db, port);
      db.health = { check: ['exec', programs.get('pg_isready')!, '-h', '127.0.0.1', '-p', '${PORT}'], interval: null, timeout: null, retries: null };
      return [init, db];
    },
  },
};
RECIPES.valkey = RECIPES.redis!;
RECIPES.postgis = RECIPES.postgres!;

function database(a: DraftApp, port: number): void {
  a.port = port;
  a.ingressOff = true;
  a.drain = '10s';
}

/** The usual port of a known image, for the ports of services that publish none. */
export function imagePort(image: string): number | null {
  return RECIPES[base(image)]?.defaultPort ?? KNOWN_PORTS[base(image)] ?? null;
}

const KNOWN_PORTS: Record<string, number> = { mysql: 3306, mariadb: 3306, mongo: 27017, memcached: 11211, rabbitmq: 5672, nginx: 80, adminer: 8080 };

export function imageApps(s: ImageService, mode: ImageMode, here: Pick<ProjectSnapshot, 'programs' | 'root'>, notes: Notes): DraftApp[] {
  const { programs } = here;
  const recipe = RECIPES[base(s.image)];
  const port = s.port ?? recipe?.defaultPort ?? null;
  const line = s.from;
  // Why the native recipe is not used, when there is one and it was asked for.
  let why: string | null = null;
  if (mode === 'native' && recipe) {
    const missing = recipe.programs.filter((p) => !programs.has(p));
    if (missing.length > 0) why = `${missing.join(', ')} not on PATH`;
    else if (recipe.refusesRoot && here.root) why = `${recipe.programs.filter((p) => p !== 'pg_isready').join(' and ')} refuse to run as root, and this import runs as root (import as another user for the native recipe)`;
    else {
      const apps = recipe.build(s, port!, programs);
      notes.info(line, s.name, `image ${s.image} → native ${apps[apps.length - 1]!.exec}${apps.length > 1 ? `, after the job \`${apps[0]!.name}\` that prepares its data` : ''}`);
      if (s.dataVolume) notes.info(line, s.name, `volume ${s.dataVolume} → ${apps[0]!.volumes[0]?.path ?? 'not kept (the native recipe keeps no data)'}`);
      return apps;
    }
    notes.warn(line, s.name, `image ${s.image}: ${why}, so it runs from its image`);
  }
  const a = draft(s.name, s.from);
  if (mode === 'todo') {
    a.replicas = 0;
    notes.error(line, s.name, `image ${s.image} → TODO: write the program that runs it, then set replicas`);
  } else {
    a.image = s.image;
    const hint = recipe && recipe.programs.some((p) => !programs.has(p)) ? ` (install ${recipe.programs.join(', ')} for a native recipe)` : '';
    notes.warn(line, s.name, `image ${s.image} → runs from its image once container apps land; until then its replicas fail to launch${hint}`);
  }
  if (port !== null) database(a, port);
  return [a];
}
