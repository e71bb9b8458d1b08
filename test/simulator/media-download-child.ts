/**
 * Child process of `downloadWithBaileys` (media-helpers.ts): downloads media messages with Baileys'
 * own `downloadMediaMessage` in a plain Node process that trusts the media host only through
 * NODE_EXTRA_CA_CERTS, as the bridge does. Reads `DownloadRequest[]` (BufferJSON) on stdin and
 * writes one `{ data }` (base64) or `{ error, status }` per request on stdout.
 */
import { text } from 'node:stream/consumers';
import { BufferJSON, downloadMediaMessage } from '@whiskeysockets/baileys';
import type { DownloadRequest } from './media-helpers.js';

const requests = JSON.parse(await text(process.stdin), BufferJSON.reviver) as DownloadRequest[];
const results = [];
for (const { msg, startByte, endByte } of requests) {
  try {
    const stream = await downloadMediaMessage(msg, 'stream', { startByte, endByte });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    results.push({ data: Buffer.concat(chunks).toString('base64') });
  } catch (err) {
    results.push({ error: (err as Error).message, status: (err as { output?: { statusCode?: number } }).output?.statusCode });
  }
}
process.stdout.write(JSON.stringify(results));
