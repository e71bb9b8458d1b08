import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { text } from 'node:stream/consumers';
import { BufferJSON, type WAMessage } from '@whiskeysockets/baileys';

/** A message to download, optionally only the plain bytes from `startByte` to `endByte`. */
export interface DownloadRequest {
  msg: WAMessage;
  startByte?: number;
  endByte?: number;
}

/** One download's outcome: the plain bytes, or Baileys' error and its HTTP status. */
export type Downloaded = { data: Buffer } | { error: string; status?: number };

/**
 * Downloads with Baileys' `downloadMediaMessage(msg, 'stream', …)` in a child process started with
 * `NODE_EXTRA_CA_CERTS=caFile` and no other switch, the way the bridge trusts the media host (this
 * process cannot trust a CA made after it started, and global fetch takes no https agent).
 */
export async function downloadWithBaileys(caFile: string, requests: DownloadRequest[]): Promise<Downloaded[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/simulator/media-download-child.ts'], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(JSON.stringify(requests, BufferJSON.replacer));
  const [output, [code]] = await Promise.all([text(child.stdout), once(child, 'exit')]);
  if (code !== 0) throw new Error(`download child exited with ${code}`);
  return (JSON.parse(output) as ({ data: string } | { error: string; status?: number })[]).map((r) =>
    'data' in r ? { data: Buffer.from(r.data, 'base64') } : r,
  );
}

/** The bytes of a successful download; fails the test with Baileys' error otherwise. */
export function bytesOf(result: Downloaded | undefined): Buffer {
  if (!result || !('data' in result)) throw new Error(`download failed: ${JSON.stringify(result)}`);
  return result.data;
}

/** The HTTP status of a GET, trusting only the media host's CA. */
export async function statusOf(url: string, ca: string): Promise<number> {
  const req = request(url, { ca, headers: { Origin: 'https://web.whatsapp.com' } }).end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.resume();
  return res.statusCode ?? 0;
}
