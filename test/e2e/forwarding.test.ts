import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { proto } from '@whiskeysockets/baileys';
import type { Contact } from '../../simulator/index.js';
import { pairedBridge, type BridgeWithReceiver } from '../support/paired-bridge.js';

/** Sends through the simulator and returns the payload the receiver got for that message id. */
async function roundTrip(s: BridgeWithReceiver, send: () => Promise<{ id: string }>): Promise<any> {
  const { id } = await send();
  await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === id), 8000, `payload of ${id}`);
  return s.receiver.accepted.find((p) => p.id === id);
}

describe('forwarding through the real stack', () => {
  let s: BridgeWithReceiver;
  let alice: Contact;
  let bob: Contact;
  before(async () => {
    // These media messages carry made-up keys and URLs: what WhatsApp says about the file is forwarded, nothing is fetched.
    s = await pairedBridge({ options: { media_download: false } });
    alice = s.sim.contact({ phone: '4917600000001', pushName: 'Alice' });
    bob = s.sim.contact({ phone: '4917600000002', pushName: 'Bob' });
  });
  after(() => s.close());

  test('a 1:1 text via LID addressing has the phone JID as sender, and the LID too', async () => {
    const p = await roundTrip(s, () => s.sim.sendText(alice, 'Hello from Alice', { addressing: 'lid' }));
    assert.equal(p.sender, '4917600000001@s.whatsapp.net');
    assert.equal(p.content, 'Hello from Alice');
    assert.equal(p.is_group, false);
    assert.equal(p.event, 'message');
    assert.equal(p.chat, '4917600000001@s.whatsapp.net');
    assert.equal(p.type, 'text');
    assert.equal(p.push_name, 'Alice');
    assert.equal(p.sender_phone, '4917600000001');
    assert.equal(p.sender_lid, `${alice.lid}@lid`);
    assert.equal(p.from_me, false);
    assert.equal(p.quoted_id, null);
    assert.equal(typeof p.timestamp, 'number');
    assert.equal(p.raw.key.remoteJid, `${alice.lid}@lid`);
    assert.equal(p.raw.key.remoteJidAlt, '4917600000001@s.whatsapp.net');
    assert.equal(typeof p.raw.messageTimestamp, 'number', 'Longs are numbers in raw');
  });

  test('a 1:1 text via phone addressing has the same sender', async () => {
    const p = await roundTrip(s, () => s.sim.sendText(bob, 'Hi by number', { addressing: 'pn' }));
    assert.equal(p.sender, '4917600000002@s.whatsapp.net');
    assert.equal(p.sender_phone, '4917600000002');
    assert.equal(p.raw.key.remoteJid, '4917600000002@s.whatsapp.net');
  });

  test('a group message names the group as chat and the participant (phone JID) as sender', async () => {
    const family = s.sim.group({ subject: 'Family', participants: [alice, bob] });
    const p = await roundTrip(s, () => s.sim.sendText(bob, 'Dinner at 7', { group: family }));
    assert.equal(p.is_group, true);
    assert.equal(p.chat, family.jid);
    assert.equal(p.sender, '4917600000002@s.whatsapp.net');
    assert.equal(p.sender_lid, `${bob.lid}@lid`);
    assert.equal(p.content, 'Dinner at 7');
    assert.equal(p.raw.key.participantAlt, '4917600000002@s.whatsapp.net');
  });

  const mediaKey = new Uint8Array(32).fill(7);
  const media = {
    url: 'https://mmg.whatsapp.net/x',
    mediaKey,
    fileSha256: new Uint8Array(32).fill(1),
    fileEncSha256: new Uint8Array(32).fill(2),
    fileLength: 1234,
    directPath: '/x',
  };
  const kinds: Array<[string, proto.IMessage, string, string]> = [
    ['extended text', { extendedTextMessage: { text: 'See https://example.com' } }, 'text', 'See https://example.com'],
    [
      'image with caption',
      { imageMessage: { ...media, mimetype: 'image/jpeg', caption: 'Our cat', jpegThumbnail: new Uint8Array([1, 2, 3]) } },
      'image',
      'Our cat',
    ],
    ['image without caption', { imageMessage: { ...media, mimetype: 'image/jpeg' } }, 'image', 'Image'],
    ['video with caption', { videoMessage: { ...media, mimetype: 'video/mp4', caption: 'Holiday', seconds: 12 } }, 'video', 'Holiday'],
    ['voice message', { audioMessage: { ...media, mimetype: 'audio/ogg; codecs=opus', ptt: true, seconds: 5 } }, 'audio', 'Voice message (5 s)'],
    ['document', { documentMessage: { ...media, mimetype: 'application/pdf', fileName: 'invoice.pdf' } }, 'document', 'invoice.pdf'],
    [
      'document with caption',
      { documentWithCaptionMessage: { message: { documentMessage: { ...media, mimetype: 'application/pdf', fileName: 'a.pdf', caption: 'The contract' } } } },
      'document',
      'The contract',
    ],
    ['sticker', { stickerMessage: { ...media, mimetype: 'image/webp' } }, 'sticker', 'Sticker'],
    ['location', { locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Berlin' } }, 'location', 'Location: 52.52, 13.405 (Berlin)'],
    [
      'contact card',
      { contactMessage: { displayName: 'Carol', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Carol\nTEL:+4915100000\nEND:VCARD' } },
      'contact',
      'Contact: Carol',
    ],
    [
      'poll',
      { pollCreationMessageV3: { name: 'Pizza?', options: [{ optionName: 'Yes' }, { optionName: 'No' }], selectableOptionsCount: 1 } },
      'poll',
      'Poll: Pizza? (Yes / No)',
    ],
    ['button reply', { buttonsResponseMessage: { selectedButtonId: 'b1', selectedDisplayText: 'Turn on' } }, 'button_reply', 'Turn on'],
    [
      'list reply',
      {
        listResponseMessage: {
          title: 'Living room',
          listType: proto.Message.ListResponseMessage.ListType.SINGLE_SELECT,
          singleSelectReply: { selectedRowId: 'r1' },
        },
      },
      'list_reply',
      'Living room',
    ],
    ['ephemeral text', { ephemeralMessage: { message: { extendedTextMessage: { text: 'disappearing' } } } }, 'text', 'disappearing'],
    [
      'view-once image',
      { viewOnceMessageV2: { message: { imageMessage: { ...media, mimetype: 'image/jpeg', caption: 'once', viewOnce: true } } } },
      'image',
      'once',
    ],
  ];
  for (const [name, message, type, content] of kinds) {
    test(`${name}: type "${type}", content "${content}"`, async () => {
      const p = await roundTrip(s, () => s.sim.sendMessage(alice, message));
      assert.equal(p.type, type);
      assert.equal(p.content, content);
      assert.equal(p.sender, '4917600000001@s.whatsapp.net');
      const inner = JSON.stringify(message);
      if (/(image|video|audio|document|sticker)Message/.test(inner)) {
        // With media_download off, media holds what the message says about its file, and no file.
        assert.equal(p.media.size, 1234);
        assert.equal(p.media.sha256, '01'.repeat(32));
        assert.equal(p.media.path, null);
        assert.equal(p.media.url, null);
        assert.equal(p.media.error, null);
        assert.equal(p.media.voice, type === 'audio');
        assert.equal(p.media.file_name, type === 'document' ? (inner.includes('a.pdf') ? 'a.pdf' : 'invoice.pdf') : null);
        if (type === 'video' || type === 'audio') assert.equal(p.media.duration_s, type === 'video' ? 12 : 5);
      } else {
        assert.equal(p.media, null, 'no media on a message without a file');
      }
    });
  }

  test('raw carries byte fields as base64', async () => {
    const p = await roundTrip(s, () => s.sim.sendMessage(alice, { imageMessage: { ...media, mimetype: 'image/jpeg', caption: 'b64' } }));
    assert.equal(p.raw.message.imageMessage.mediaKey, Buffer.from(mediaKey).toString('base64'));
    assert.equal(p.raw.message.imageMessage.fileLength, 1234);
  });

  test('a quoted reply and a reaction name the message they refer to', async () => {
    const original = await roundTrip(s, () => s.sim.sendText(alice, 'Is the door locked?'));
    const reply = await roundTrip(s, () =>
      s.sim.sendMessage(bob, {
        extendedTextMessage: {
          text: 'Yes',
          contextInfo: { stanzaId: original.id, participant: original.sender, quotedMessage: { conversation: 'Is the door locked?' } },
        },
      }),
    );
    assert.equal(reply.quoted_id, original.id);
    const reaction = await roundTrip(s, () =>
      s.sim.sendMessage(bob, {
        reactionMessage: { key: { remoteJid: original.chat, id: original.id, fromMe: false }, text: '👍', senderTimestampMs: Date.now() },
      }),
    );
    assert.equal(reaction.type, 'reaction');
    assert.equal(reaction.content, '👍');
    assert.equal(reaction.quoted_id, original.id);
  });

  test('protocol messages (edit, revoke) and undecryptable messages are not forwarded', async () => {
    const before = s.receiver.requests.length;
    const target = await roundTrip(s, () => s.sim.sendText(alice, 'typo'));
    const skipped = [
      await s.sim.sendMessage(alice, {
        protocolMessage: {
          type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
          key: { id: target.id, remoteJid: target.chat, fromMe: false },
          editedMessage: { conversation: 'fixed' },
        },
      }),
      await s.sim.sendMessage(alice, {
        protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id: target.id, remoteJid: target.chat, fromMe: false } },
      }),
      await s.sim.sendText(alice, 'garbled', { undecryptable: true }),
    ];
    await s.sim.waitForAcks(skipped.map((r) => r.id));
    const marker = await roundTrip(s, () => s.sim.sendText(alice, 'after'));
    const ids = s.receiver.accepted.slice(before).map((p) => p.id);
    assert.deepEqual(ids, [target.id, marker.id]);
  });

  test('a message WhatsApp delivers twice is forwarded once', async () => {
    const first = await roundTrip(s, () => s.sim.sendText(alice, 'only once', { id: '3EB0DUPLICATE0001' }));
    await s.sim.sendText(alice, 'only once', { id: '3EB0DUPLICATE0001' });
    const marker = await roundTrip(s, () => s.sim.sendText(alice, 'next'));
    assert.equal(s.receiver.accepted.filter((p) => p.id === first.id).length, 1);
    assert.ok(marker);
  });

  test('an offline batch (delivered as append) is forwarded in order', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await s.sim.sendText(bob, `offline ${i}`, { offline: true }));
    const last = results.at(-1)!.id;
    await s.receiver.waitFor(() => s.receiver.accepted.some((p) => p.id === last));
    const got = s.receiver.accepted.filter((p) => p.content.startsWith('offline ')).map((p) => p.content);
    assert.deepEqual(got, ['offline 0', 'offline 1', 'offline 2', 'offline 3', 'offline 4']);
  });
});

describe('filters', () => {
  test('forward_groups off drops group messages but not 1:1', async () => {
    const s = await pairedBridge({ options: { forward_groups: false } });
    try {
      const alice = s.sim.contact({ phone: '4917600000011', pushName: 'Alice' });
      const group = s.sim.group({ participants: [alice] });
      const inGroup = await s.sim.sendText(alice, 'in the group', { group });
      await s.sim.waitForAcks([inGroup.id]);
      const direct = await roundTrip(s, () => s.sim.sendText(alice, 'direct'));
      assert.deepEqual(
        s.receiver.accepted.map((p) => p.id),
        [direct.id],
      );
    } finally {
      await s.close();
    }
  });
});
