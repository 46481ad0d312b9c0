// Loaded into a daemon by a benchmark (NODE_OPTIONS=--require this file, with SKR8TR_PROFILE_DIR
// set): SIGUSR2 starts V8's CPU profiler, the next SIGUSR2 stops it and writes
// <SKR8TR_PROFILE_DIR>/<pid>.cpuprofile (the format Chrome DevTools opens). Only processes whose
// script ends with SKR8TR_PROFILE_SCRIPT (default conductor.js) are touched; anything they start
// inherits NODE_OPTIONS and ignores it.
'use strict';
const script = process.env.SKR8TR_PROFILE_SCRIPT || 'conductor.js';
const dir = process.env.SKR8TR_PROFILE_DIR;
if (dir && process.argv[1] && process.argv[1].endsWith(script)) {
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const path = require('node:path');
  const session = new inspector.Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 100 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      const file = path.join(dir, `${process.pid}.cpuprofile`);
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(err ? { error: String(err) } : result.profile));
      fs.renameSync(`${file}.tmp`, file);
    });
  });
}
