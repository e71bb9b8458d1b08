// (b) of the benchmark: a plain keep-alive POST loop of the same bodies to the same receiver,
// with the bridge's own HTTP client settings, as many requests in parallel as the bridge would.
import { readFileSync } from 'node:fs';
import { createHttpClient, postJson } from '../../dist/delivery/http-post.js';

const [url, bodiesFile, lanesArg] = process.argv.slice(2);
const bodies = JSON.parse(readFileSync(bodiesFile, 'utf8'));
const client = createHttpClient();
const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: Number(lanesArg) }, async () => {
    while (next < bodies.length) await postJson(client, url, bodies[next++], {});
  }),
);
process.send({ kind: 'done', ms: performance.now() - started });
// Stays until told, so the benchmark can read this process's write counters first.
process.on('message', (m) => m.kind === 'quit' && process.exit(0));
