import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { samplePng, type Contact } from '../../simulator/index.js';
import { MEDIA_API_TOKEN, mediaBridge, type MediaBridge } from '../support/media-bridge.js';

/** The start of an Ogg/Opus file: what a voice note is, as far as the bytes tell. */
function oggOpus(size: number): Buffer {
  const data = randomBytes(size);
  data.write('OggS', 0, 'latin1');
  data.fill(0, 4, 28);
  data.write('OpusHead', 28, 'latin1');
  return data;
}

describe('sending media through the message API arrives byte-identical at the contact', () => {
  let s: MediaBridge;
  let alice: Contact;
  let server: Server;
  let fileUrl: string;
  const png = samplePng(120, 80);

  before(async () => {
    s = await mediaBridge({ send_url_allow: ['127.0.0.1'] }); // the test's file server is on loopback
    alice = s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    server = createServer((req, res) => {
      if (req.url === '/redirect') return void res.writeHead(302, { Location: '/snapshot.png' }).end();
      res.writeHead(200, { 'Content-Type': 'image/png' }).end(png);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fileUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await s.close();
  });

  /** Sends and returns the decrypted file and the message the contact got. */
  async function sendAndReceive(body: Record<string, unknown>) {
    const answer = await s.send({ to: '+4917600000001', ...body });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    const out = await s.sim.waitForOutgoing((m) => m.id === answer.json.id);
    return { id: answer.json.id as string, message: out.message, bytes: s.sim.media!.download(out.message) };
  }

  test('an image by path (inside media_folder), with its caption', async () => {
    mkdirSync(join(s.mediaFolder, 'snapshots'), { recursive: true });
    const path = join(s.mediaFolder, 'snapshots', 'door.png');
    writeFileSync(path, png);
    const { message, bytes } = await sendAndReceive({ image: { path }, caption: 'Someone is at the door' });
    assert.ok(bytes.equals(png));
    assert.equal(message.imageMessage?.caption, 'Someone is at the door');
    assert.equal(message.imageMessage?.mimetype, 'image/png', 'detected from the bytes');
  });

  test('an image by url, through a redirect; text works as the caption', async () => {
    const { message, bytes } = await sendAndReceive({ image: { url: `${fileUrl}/redirect` }, text: 'from the camera' });
    assert.ok(bytes.equals(png));
    assert.equal(message.imageMessage?.caption, 'from the camera');
  });

  test('a document by base64, with its file name and mimetype', async () => {
    const data = randomBytes(20_000);
    const { message, bytes } = await sendAndReceive({
      document: { base64: data.toString('base64') },
      file_name: 'report.bin',
      mimetype: 'application/octet-stream',
    });
    assert.ok(bytes.equals(data));
    assert.equal(message.documentMessage?.fileName, 'report.bin');
    assert.equal(message.documentMessage?.mimetype, 'application/octet-stream');
  });

  test('a document the content cannot tell (plain text) keeps the mimetype given', async () => {
    const csv = Buffer.from('room,temperature\nkitchen,21.5\n');
    const { message, bytes } = await sendAndReceive({ document: { base64: csv.toString('base64') }, file_name: 'rooms.csv', mimetype: 'text/csv' });
    assert.ok(bytes.equals(csv));
    assert.equal(message.documentMessage?.mimetype, 'text/csv');
  });

  test('base64 as other encoders write it: a data: prefix, line breaks and escaped slashes', async () => {
    const data = Buffer.concat([png, randomBytes(5_000)]);
    const wrapped = `data:image/png;base64,${data.toString('base64').replace(/.{76}/g, '$&\n')}`;
    // PHP's json_encode writes "/" as "\/"; JSON.stringify writes the line breaks as "\n".
    const body = JSON.stringify({ to: '+4917600000001', image: { base64: wrapped } }).replaceAll('/', '\\/');
    const res = await fetch(new URL('api/send', await s.apiUrl()), {
      method: 'POST',
      headers: { Authorization: `Bearer ${MEDIA_API_TOKEN}`, 'Content-Type': 'application/json' },
      body,
    });
    const answer = (await res.json()) as { id?: string; error?: string };
    assert.equal(res.status, 200, answer.error);
    const out = await s.sim.waitForOutgoing((m) => m.id === answer.id);
    assert.ok(s.sim.media!.download(out.message).equals(data));
  });

  test('an ogg/opus audio with voice: true arrives as a voice note', async () => {
    const data = oggOpus(6_000);
    const { message, bytes } = await sendAndReceive({ audio: { base64: data.toString('base64') }, voice: true });
    assert.ok(bytes.equals(data));
    assert.equal(message.audioMessage?.ptt, true);
    assert.equal(message.audioMessage?.mimetype, 'audio/ogg; codecs=opus');
  });

  test('a video by path, and a reply to a received message with a photo', async () => {
    const video = Buffer.concat([Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'), randomBytes(30_000)]);
    const path = join(s.mediaFolder, 'clip.mp4');
    writeFileSync(path, video);
    const clip = await sendAndReceive({ video: { path }, caption: 'clip' });
    assert.ok(clip.bytes.equals(video));
    assert.match(clip.message.videoMessage?.mimetype ?? '', /^video\/mp4/);

    const received = await s.sim.sendText(alice, 'send me a picture');
    await s.payload(received.id);
    const reply = await sendAndReceive({ image: { base64: png.toString('base64') }, reply_to: received.id });
    assert.ok(reply.bytes.equals(png));
    assert.equal(reply.message.imageMessage?.contextInfo?.stanzaId, received.id, 'the photo quotes the message');
  });

  test('what the bridge sent is never forwarded back as incoming', async () => {
    const ids = new Set(s.sim.recorded.outgoing.map((m) => m.id));
    assert.ok(ids.size >= 5);
    assert.ok(!s.receiver.accepted.some((p) => ids.has(p.id)));
  });
});
