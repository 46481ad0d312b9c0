// Parse time of large manifests, in both syntaxes: should be linear in size and well under a
// second at the 1 MiB limit. `npm run bench:parse`; writes bench/results/parse.json.
import { performance } from 'node:perf_hooks';
import { hasErrors, parseManifest } from '../src/shared/manifest';
import { median, writeResults } from './lib/results';

function lineManifest(targetBytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let a = 0; a < 100 && size < targetBytes; a++) {
    const app = [
      `# app ${a}: a service with most keys in use`,
      `app svc-${a}`,
      `  exec ./bin/svc-${a}   # the program`,
      `  args --name "service ${a}" --port \${PORT} --verbose`,
      `  port ${10000 + a}`,
      `  replicas 3`,
      `  ram 512mb`,
      `  cpu 0.5`,
      `  health`,
      `    check GET /health 200`,
      `    interval 10s`,
      `    timeout 2s`,
      `    retries 3`,
      `  rollout {`,
      `    surge 1`,
      `    deadline 60s`,
      `  }`,
      `  env`,
    ];
    for (let e = 0; e < 250; e++) app.push(`    VAR_${a}_${e} value-${e}-${'x'.repeat(12)}`);
    const text = app.join('\n') + '\n';
    if (size + text.length > targetBytes) break;
    parts.push(text);
    size += text.length;
  }
  return parts.join('');
}

function yamlManifest(targetBytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let a = 0; a < 100 && size < targetBytes; a++) {
    const app = [
      `app: svc-${a}`,
      `exec: ./bin/svc-${a}`,
      `args: --name "service ${a}" --port \${PORT}`,
      `port: ${10000 + a}`,
      `replicas: 3`,
      `health:`,
      `  check: GET /health 200`,
      `  interval: 10s`,
      `env:`,
    ];
    for (let e = 0; e < 250; e++) app.push(`  VAR_${a}_${e}: value-${e}-${'x'.repeat(12)}`);
    const text = (a > 0 ? '---\n' : '') + app.join('\n') + '\n';
    if (size + text.length > targetBytes) break;
    parts.push(text);
    size += text.length;
  }
  return parts.join('');
}

function time(text: string, file: string, runs: number): number {
  const r = parseManifest(text, file);
  if (hasErrors(r.diagnostics)) throw new Error(`benchmark manifest has errors: ${JSON.stringify(r.diagnostics[0])}`);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    parseManifest(text, file);
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const sizes = [128, 256, 512, 1000].map((k) => k * 1024);
const rows: { syntax: string; bytes: number; apps: number; medianMs: number; mbPerSec: number }[] = [];
for (const [syntax, make, file] of [
  ['skr8tr', lineManifest, '/bench/big.skr8tr'],
  ['yaml', yamlManifest, '/bench/big.skr8tr.yaml'],
] as const) {
  for (const target of sizes) {
    const text = make(target);
    const ms = time(text, file, 15);
    const apps = parseManifest(text, file).apps.length;
    rows.push({ syntax, bytes: text.length, apps, medianMs: +ms.toFixed(2), mbPerSec: +(text.length / 1024 / 1024 / (ms / 1000)).toFixed(1) });
  }
}

const summary: string[] = [];
for (const syntax of ['skr8tr', 'yaml']) {
  const r = rows.filter((x) => x.syntax === syntax);
  const small = r[0]!;
  const big = r[r.length - 1]!;
  const linearity = big.medianMs / big.bytes / (small.medianMs / small.bytes);
  summary.push(`${syntax}: ${(big.bytes / 1024).toFixed(0)} KiB (${big.apps} apps) in ${big.medianMs} ms (median of 15); time per byte at the largest size is ${linearity.toFixed(2)}x that at ${(small.bytes / 1024).toFixed(0)} KiB (1.00 = linear)`);
}
for (const row of rows) console.log(`${row.syntax.padEnd(7)} ${String(row.bytes).padStart(8)} bytes ${String(row.apps).padStart(4)} apps ${String(row.medianMs).padStart(8)} ms ${String(row.mbPerSec).padStart(6)} MiB/s`);
for (const line of summary) console.log(line);
console.log(`wrote ${writeResults('parse', rows, summary)}`);
