import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import { test } from 'node:test';
import { normalizeMessageContent, type proto } from '@whiskeysockets/baileys';
import { samplePng, WaSimulator, type MediaSpec } from '../../simulator/index.js';
import { pairedClient } from './helpers.js';
import { bytesOf, downloadWithBaileys, statusOf } from './media-helpers.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
/** The media part of a message's content (a group's first message also carries the sender key). */
const mediaOf = (m: proto.IMessage) => m.imageMessage ?? m.videoMessage ?? m.audioMessage ?? m.documentMessage ?? m.stickerMessage;

test('contacts send every media kind; Baileys downloads each byte-identical from the HTTPS host', { timeout: 30_000 }, async () => {
  const sim = await WaSimulator.start({ media: true });
  try {
    const { client } = await pairedClient(sim);
    const alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    const bob = sim.contact({ phone: '4917600000002', pushName: 'Bob' });
    const family = sim.group({ subject: 'Family', participants: [alice, bob] });
    const specs: MediaSpec[] = [
      { kind: 'image', data: samplePng(), mimetype: 'image/png', caption: 'a photo', width: 96, height: 64 },
      // bigger than one read of the stream, and not a multiple of the AES block
      { kind: 'video', data: randomBytes(300_001), caption: 'a video', seconds: 12 },
      { kind: 'audio', data: randomBytes(4_000), ptt: true, seconds: 3 },
      { kind: 'audio', data: randomBytes(5_000), mimetype: 'audio/mpeg' },
      { kind: 'document', data: randomBytes(7_000), fileName: 'invoice.pdf' },
      { kind: 'sticker', data: randomBytes(2_000), width: 512, height: 512 },
      { kind: 'image', data: randomBytes(3_000), wrap: 'viewOnce' },
      { kind: 'video', data: randomBytes(3_000), wrap: 'ephemeral' },
      { kind: 'document', data: randomBytes(3_000), fileName: 'notes.txt', mimetype: 'text/plain', caption: 'see notes', wrap: 'documentWithCaption' },
    ];
    const sent = [];
    for (const spec of specs) sent.push(await sim.sendMedia(alice, spec));
    const groupPhoto = randomBytes(1_000);
    sent.push(await sim.sendMedia(bob, { kind: 'image', data: groupPhoto, caption: 'to the group' }, { group: family }));
    const received = await Promise.all(sent.map(async ({ id }) => (await client.message(id)).msg));

    const content = received.map((msg) => normalizeMessageContent(msg.message)!);
    assert.equal(content[0]!.imageMessage?.caption, 'a photo');
    assert.equal(content[0]!.imageMessage?.mimetype, 'image/png');
    assert.equal(content[1]!.videoMessage?.seconds, 12);
    assert.equal(content[2]!.audioMessage?.ptt, true);
    assert.equal(content[3]!.audioMessage?.ptt, false);
    assert.equal(content[4]!.documentMessage?.fileName, 'invoice.pdf');
    assert.ok(content[5]!.stickerMessage);
    assert.ok(received[6]!.message?.viewOnceMessageV2 && content[6]!.imageMessage?.viewOnce);
    assert.ok(received[7]!.message?.ephemeralMessage && content[7]!.videoMessage);
    assert.equal(received[8]!.message?.documentWithCaptionMessage?.message?.documentMessage?.caption, 'see notes');
    assert.equal(received[9]!.key.remoteJid, family.jid);
    assert.deepEqual(sent[0]!.sha256, sha256(specs[0]!.data));
    for (const [i, c] of content.entries()) {
      assert.ok(mediaOf(c)?.url?.startsWith(`https://${sim.media!.hostname}/`), `message ${i} points at the host`);
      assert.deepEqual(Buffer.from(mediaOf(c)?.fileSha256 ?? []), sent[i]!.sha256, `message ${i}: fileSha256`);
    }

    const video = specs[1]!.data;
    const results = await downloadWithBaileys(sim.media!.caFile, [
      ...received.map((msg) => ({ msg })),
      { msg: received[1]!, startByte: 100_000, endByte: 200_000 }, // a Range request
    ]);
    for (const [i, spec] of specs.entries()) assert.ok(bytesOf(results[i]).equals(spec.data), `${spec.kind} ${spec.wrap ?? ''} byte-identical`);
    assert.ok(bytesOf(results[specs.length]).equals(groupPhoto), 'the group image');
    assert.ok(bytesOf(results.at(-1)).equals(video.subarray(100_000, 200_000)), 'the range');
    assert.ok(sim.media!.requests.some((r) => r.status === 206 && r.range));
    client.end();
  } finally {
    await sim.stop();
  }
});

test('expired media answers 410 until the client asks for a re-upload; then the phone re-uploads it to a new path', { timeout: 30_000 }, async () => {
  const sim = await WaSimulator.start({ media: true });
  try {
    const { client } = await pairedClient(sim);
    const alice = sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    const data = randomBytes(20_000);
    const { id } = await sim.sendMedia(alice, { kind: 'video', data, expired: 'until-reupload' });
    const { msg } = await client.message(id);
    const [expired] = await downloadWithBaileys(sim.media!.caFile, [{ msg }]);
    assert.equal(expired && 'status' in expired ? expired.status : undefined, 410);

    const oldPath = msg.message?.videoMessage?.directPath;
    await client.sock.refreshMediaConn(true); // updateMediaMessage builds the new url from the socket's media host
    const updated = await client.sock.updateMediaMessage(msg);
    const newPath = updated.message?.videoMessage?.directPath;
    assert.ok(newPath && newPath !== oldPath);
    assert.deepEqual(sim.recorded.mediaRetries, [{ id, remoteJid: alice.lidJid, fromMe: false, result: 'reuploaded', directPath: newPath }]);
    assert.ok(updated.message?.videoMessage?.url?.startsWith(`https://${sim.media!.hostname}/`));
    const [again] = await downloadWithBaileys(sim.media!.caFile, [{ msg: updated }]);
    assert.ok(bytesOf(again).equals(data));
    client.end();
  } finally {
    await sim.stop();
  }
});

test('re-upload refused: NOT_FOUND for media expired for good, DECRYPTION_ERROR for a wrong key, an error for an unknown message', async () => {
  const sim = await WaSimulator.start({ media: true });
  try {
    const { client } = await pairedClient(sim);
    const alice = sim.contact({ phone: '4917600000001' });
    const { id } = await sim.sendMedia(alice, { kind: 'document', data: randomBytes(1_000), fileName: 'old.pdf', expired: 'for-good' });
    const { msg } = await client.message(id);
    assert.equal(await statusOf(msg.message!.documentMessage!.url!, sim.media!.ca), 410);
    await assert.rejects(client.sock.updateMediaMessage(msg), (err: { message: string; output?: { statusCode?: number } }) => {
      assert.match(err.message, /NOT_FOUND/);
      assert.equal(err.output?.statusCode, 404);
      return true;
    });
    assert.equal(sim.recorded.mediaRetries[0]?.result, 'not-found');
    assert.equal(await statusOf(msg.message!.documentMessage!.url!, sim.media!.ca), 410, 'still gone');

    // the phone cannot read a request made with another media key; its answer is unreadable to the client too
    const wrongKey = { ...msg, message: { documentMessage: { ...msg.message!.documentMessage, mediaKey: randomBytes(32) } } };
    await assert.rejects(client.sock.updateMediaMessage(wrongKey));
    assert.equal(sim.recorded.mediaRetries[1]?.result, 'decryption-error');

    const unknown = { key: { id: 'UNKNOWN0000', remoteJid: alice.lidJid, fromMe: false }, message: { imageMessage: { mediaKey: randomBytes(32), url: 'x' } } };
    await assert.rejects(client.sock.updateMediaMessage(unknown), (err: { message: string; output?: { statusCode?: number } }) => {
      assert.match(err.message, /Failed to re-upload media \(2\)/);
      assert.equal(err.output?.statusCode, 404);
      return true;
    });
    assert.equal(sim.recorded.mediaRetries[2]?.result, 'unknown-message');
    client.end();
  } finally {
    await sim.stop();
  }
});

test('the client uploads media: the simulator decrypts each byte-identical and reads caption, fileName, ptt', { timeout: 20_000 }, async () => {
  const sim = await WaSimulator.start({ media: true });
  try {
    // the client in this process trusts the CA through Baileys' fetchAgent; the bridge uses NODE_EXTRA_CA_CERTS
    const { client } = await pairedClient(sim, { fetchAgent: new Agent({ ca: sim.media!.ca }) });
    const alice = sim.contact({ phone: '4917600000001' });
    const photo = samplePng();
    await client.sock.sendMessage(alice.jid, { image: photo, caption: 'from the bridge' });
    const image = await sim.waitForOutgoing((m) => m.to === alice.jid);
    assert.equal(image.message.imageMessage?.caption, 'from the bridge');
    assert.ok(image.message.imageMessage?.jpegThumbnail?.length, 'Baileys made a thumbnail with sharp');
    assert.ok(sim.media!.download(image.message).equals(photo));

    const pdf = randomBytes(10_000);
    await client.sock.sendMessage(alice.jid, { document: pdf, fileName: 'report.pdf', mimetype: 'application/pdf' });
    const document = await sim.waitForOutgoing((m) => m.to === alice.jid);
    assert.equal(document.message.documentMessage?.fileName, 'report.pdf');
    assert.ok(sim.media!.download(document.message).equals(pdf));

    const voice = randomBytes(3_000);
    await client.sock.sendMessage(alice.jid, { audio: voice, ptt: true, seconds: 2, mimetype: 'audio/ogg; codecs=opus' });
    const note = await sim.waitForOutgoing((m) => m.to === alice.jid);
    assert.equal(note.message.audioMessage?.ptt, true);
    assert.ok(sim.media!.download(note.message).equals(voice));

    assert.deepEqual(
      sim.media!.uploads.map((u) => u.type),
      ['image', 'document', 'audio'],
    );
    assert.ok(sim.recorded.iqs.some((iq) => iq.xmlns === 'w:m' && iq.child === 'media_conn'));
    assert.throws(() => sim.media!.download({ imageMessage: { ...image.message.imageMessage, mediaKey: randomBytes(32) } }), /MAC/);
    client.end();
  } finally {
    await sim.stop();
  }
});

test('without the media host, sendMedia says how to turn it on', async () => {
  const sim = await WaSimulator.start();
  try {
    assert.equal(sim.media, undefined);
    await assert.rejects(sim.sendMedia(sim.contact({ phone: '4917600000001' }), { kind: 'image', data: samplePng() }), /media: true/);
  } finally {
    await sim.stop();
  }
});
