// A tiny HTTP service for the Skr8tr demo: answers on PORT with its version, and /health.
const http = require('node:http');

const port = Number(process.env.PORT || 8080);
const version = process.env.VERSION || 'v1';
const started = Date.now();

const server = http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello from ${version} (pid ${process.pid}, up ${Date.now() - started} ms)\n`);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`hello ${version} listening on 127.0.0.1:${port}`);
});

process.on('SIGTERM', () => {
  console.log(`hello ${version} stopping`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
