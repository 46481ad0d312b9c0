// A Python project from its markers, as Container Tools and Nixpacks read them: Django (manage.py
// and */wsgi.py) → gunicorn when it is a requirement, else runserver without its autoreload plus a
// `watch`, with `migrate` as a job it needs; FastAPI (`FastAPI(` in main.py or app/main.py) →
// uvicorn; Flask (`Flask(` in app.py) → flask run. Ports: 8000 (Django, FastAPI), 5000 (Flask),
// given to the program as ${PORT}. Pure.
import { draft, Notes, type DraftApp, type ProjectSnapshot, type SourceResult } from './model';
import { watchGlobs } from './watch-globs';

export function pythonMarker(snapshot: ProjectSnapshot): { file: string; framework: 'django' | 'fastapi' | 'flask' } | null {
  if (snapshot.files.has('manage.py')) return { file: 'manage.py', framework: 'django' };
  for (const f of ['main.py', 'app/main.py', 'src/main.py']) if (/\bFastAPI\(/.test(snapshot.files.get(f) ?? '')) return { file: f, framework: 'fastapi' };
  for (const f of ['app.py', 'wsgi.py']) if (/\bFlask\(/.test(snapshot.files.get(f) ?? '')) return { file: f, framework: 'flask' };
  return null;
}

export function importPython(file: string, snapshot: ProjectSnapshot): SourceResult {
  const notes = new Notes(file);
  const marker = pythonMarker(snapshot);
  const apps: DraftApp[] = [];
  if (!marker) {
    notes.error(0, null, 'no Django, FastAPI or Flask marker found');
    return { apps, notes: notes.items, skipped: [] };
  }
  const requirements = ['requirements.txt', 'pyproject.toml', 'Pipfile'].map((f) => snapshot.files.get(f) ?? '').join('\n');
  const has = (pkg: string) => new RegExp(`(^|[\\s"'])${pkg}\\b`, 'im').test(requirements);
  const web = draft('web', { file: marker.file, line: 0 });
  web.health = { check: ['tcp'], interval: null, timeout: null, retries: null };
  if (marker.framework === 'django') {
    const wsgi = [...snapshot.files.keys()].find((f) => /^[^/]+\/wsgi\.py$/.test(f));
    const project = wsgi?.split('/')[0] ?? null;
    web.port = 8000;
    if (project && has('gunicorn')) {
      Object.assign(web, { exec: 'gunicorn', args: ['--bind', '127.0.0.1:${PORT}', `${project}.wsgi`] });
      notes.info(0, 'web', `Django: gunicorn ${project}.wsgi (gunicorn is a requirement)`);
    } else {
      Object.assign(web, { exec: 'python', args: ['manage.py', 'runserver', '127.0.0.1:${PORT}', '--noreload'] });
      web.watch = watchGlobs('python', null);
      notes.info(0, 'web', "Django: runserver without its autoreload, plus a `watch` block (development)");
    }
    const migrate = draft('migrate', { file: marker.file, line: 0 });
    Object.assign(migrate, { type: 'job', exec: 'python', args: ['manage.py', 'migrate', '--no-input'] });
    apps.push(migrate);
    web.needs.push('migrate:completed');
  } else if (marker.framework === 'fastapi') {
    const module = marker.file.replace(/\.py$/, '').replace(/\//g, '.');
    web.port = 8000;
    Object.assign(web, { exec: 'uvicorn', args: [`${module}:app`, '--host', '127.0.0.1', '--port', '${PORT}'] });
    notes.info(0, 'web', `FastAPI: uvicorn ${module}:app (if the app object is not \`app\`, change it)`);
  } else {
    web.port = 5000;
    Object.assign(web, { exec: 'flask', args: ['--app', marker.file.replace(/\.py$/, ''), 'run', '--port', '${PORT}'] });
    notes.info(0, 'web', 'Flask: flask run');
  }
  for (const f of ['.env', '.flaskenv']) if (snapshot.files.has(f)) web.envFiles.push(f);
  apps.push(web);
  return { apps, notes: notes.items, skipped: [] };
}
