// media_wait through the real stack: a file that takes longer than media_wait lets its message
// go ahead with media.pending, the chat's later messages follow, and the file's `media` event
// comes after, to the webhook, Home Assistant's event bus and the MQTT event entity; also when
// the daemon restarts or is killed while the file is pending.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Contact } from '../../simulator/index.js';
import { TOPICS } from '../../src/mqtt/discovery.js';
import { fakeSttSupervisor, OGG_ENGINE } from '../../simulator/harness/fake-stt-supervisor.js';
import { MEDIA_API_TOKEN, mediaBridge, type MediaBridge } from '../support/media-bridge.js';
import { needsMosquitto, Recorder, TestBroker } from '../../simulator/harness/mosquitto.js';
import { startDaemon } from '../support/paired-bridge.js';
import { encodeVoiceNote, opusenc, tonesPcm } from '../../simulator/harness/voice-note.js';
import { until } from '../../simulator/waits.js';
import { nothingLeftToDeliver } from '../support/state-file.js';

const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const MEDIA_WAIT_S = 2;
/** The media host's delay for a slow photo: well past media_wait. */
const SLOW_MS = 5_000;
const STT_ENTITY = 'stt.faster_whisper';

describe(`a file slower than media_wait (${MEDIA_WAIT_S} s)`, () => {
  let s: MediaBridge;
  let alice: Contact;
  let broker: TestBroker | null = null;
  let mqtt: Recorder | null = null;

  const options = () => ({ media_wait: MEDIA_WAIT_S, ...(broker ? broker.options() : { mqtt_enabled: false }) });

  before(async () => {
    if (!needsMosquitto) {
      broker = await TestBroker.start();
      mqtt = await Recorder.on(broker, TOPICS.message);
    }
    s = await mediaBridge(options());
    alice = s.sim.contact({ phone: '4917600000041', pushName: 'Alice' });
  });
  after(async () => {
    await s.close();
    await mqtt?.close();
    await broker?.stop();
  });

  const mediaEvents = (id: string) => s.receiver.accepted.filter((p) => p.event === 'media' && p.id === id);
  const orderOf = (...bodies: any[]) => bodies.map((b) => s.receiver.accepted.indexOf(b));

  test('the message goes after media_wait with media.pending, the text behind it follows, then the media event', async () => {
    const data = randomBytes(40_000);
    const started = Date.now();
    const photo = await s.sim.sendMedia(alice, { kind: 'image', data, mimetype: 'image/jpeg', caption: 'the delivery', delayMs: SLOW_MS });
    const text = await s.sim.sendText(alice, 'did the photo come?');

    const pending = await s.payload(photo.id);
    const waited = Date.now() - started;
    assert.ok(waited >= MEDIA_WAIT_S * 1000 - 200 && waited < SLOW_MS, `went after about media_wait, not after the file: ${waited} ms`);
    assert.equal(pending.event, 'message');
    assert.equal(pending.content, 'the delivery');
    assert.equal(pending.media.pending, true);
    assert.equal(pending.media.path, null);
    assert.equal(pending.media.error, null);
    const behind = await s.payload(text.id);

    await s.receiver.waitFor(() => mediaEvents(photo.id).length > 0, 15_000, 'the media event');
    const [event] = mediaEvents(photo.id);
    assert.ok(Date.now() - started >= SLOW_MS - 200, 'the media event came once the file was in');
    const [p, t, e] = orderOf(pending, behind, event);
    assert.ok(p! < t! && t! < e!, `message, text, media event, in order: ${[p, t, e]}`);
    assert.deepEqual(Object.keys(event), [
      'sender',
      'is_group',
      'chat',
      'timestamp',
      'push_name',
      'sender_phone',
      'sender_lid',
      'from_me',
      'event',
      'id',
      'content',
      'media',
    ]);
    assert.equal(event.chat, pending.chat);
    assert.equal(event.sender, alice.jid);
    assert.equal(event.content, 'the delivery');
    assert.equal(event.media.pending, false);
    assert.equal(event.media.error, null);
    assert.equal(event.media.sha256, hex(data));
    assert.equal(hex(readFileSync(event.media.path)), hex(data), 'the saved file');
    assert.ok(event.media.url.endsWith(photo.id), event.media.url);
    if (mqtt) {
      const fired = await mqtt.waitFor(() => {
        const mine = mqtt!
          .on(TOPICS.message)
          .map((m) => JSON.parse(m.payload))
          .filter((b) => b.id === photo.id);
        return mine.length >= 2 && mine;
      }, 'the event entity: message, then media');
      assert.deepEqual(
        fired.map((b: any) => b.event_type),
        ['message', 'media'],
      );
      assert.equal(fired[1].media.sha256, hex(data));
    }
  });

  test('a file that is in before media_wait goes with its message: no pending, no media event', async () => {
    const data = randomBytes(5_000);
    const photo = await s.sim.sendMedia(alice, { kind: 'image', data });
    const p = await s.payload(photo.id);
    assert.equal(p.media.pending, false);
    assert.equal(p.media.sha256, hex(data));
    assert.ok(p.media.path);
    const text = await s.sim.sendText(alice, 'next');
    await s.payload(text.id);
    assert.equal(mediaEvents(photo.id).length, 0);
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    test(`${signal === 'SIGKILL' ? 'a kill -9' : 'a restart'} while the file is pending: the media event still arrives, once per destination, in order`, async () => {
      const data = randomBytes(30_000);
      const photo = await s.sim.sendMedia(alice, { kind: 'document', data, fileName: `${signal}.pdf`, delayMs: 4_000 });
      const before = await s.sim.sendText(alice, `before the ${signal}`);
      const pending = await s.payload(photo.id);
      assert.equal(pending.media.pending, true);
      await s.payload(before.id);

      await s.restart(signal);
      const afterRestart = await s.sim.sendText(alice, `after the ${signal}`);
      const later = await s.payload(afterRestart.id, 20_000);
      await s.receiver.waitFor(() => mediaEvents(photo.id).length > 0, 20_000, 'the media event');
      // A second copy would be on its way until every row is delivered and no job is left.
      await until('nothing left to deliver', () => nothingLeftToDeliver(s.daemon.dataDir), 15_000);
      assert.equal(mediaEvents(photo.id).length, 1, 'once to the webhook');
      const [event] = mediaEvents(photo.id);
      assert.equal(event.media.sha256, hex(data));
      assert.equal(hex(readFileSync(event.media.path)), hex(data));
      const [p, b, l, e] = orderOf(
        pending,
        s.receiver.accepted.find((x) => x.id === before.id),
        later,
        event,
      );
      assert.ok(p! < b! && b! < e! && l! < e!, `pending message, text, later text, then the media event: ${[p, b, l, e]}`);
      assert.equal(s.receiver.accepted.filter((x) => x.id === photo.id && x.event === 'message').length, 1, 'the message itself once');
      if (mqtt) {
        const mqttMedia = () => mqtt!.on(TOPICS.message).filter((m) => JSON.parse(m.payload).id === photo.id && JSON.parse(m.payload).event_type === 'media');
        await mqtt.waitFor(() => mqttMedia().length > 0, 'MQTT media');
        await mqtt.caughtUp(); // the outbox is empty: every publish was acknowledged, so any second copy is at the broker
        assert.equal(mqttMedia().length, 1, 'once to the event entity');
      }
    });
  }

  test('Home Assistant fires the message with media.pending, then whatsapp_media_saved; a slow voice note gets its transcript there', async () => {
    // Under the Supervisor the page answers only the ingress proxy, so this daemon is watched through the simulator.
    const stt = await fakeSttSupervisor();
    stt.engine(STT_ENTITY, { capabilities: OGG_ENGINE, text: 'das Paket ist da' });
    try {
      await s.daemon.kill('SIGTERM');
      s.daemon = await startDaemon({
        sim: s.sim,
        receiver: s.receiver,
        dataDir: s.daemon.dataDir,
        options: { ...options(), media_folder: s.mediaFolder, api_token: MEDIA_API_TOKEN, send_interval: 0, ha_event_enabled: true, voice_to_text: STT_ENTITY },
        env: { NODE_EXTRA_CA_CERTS: s.sim.media!.caFile, ...stt.env },
      });
      await s.daemon.waitForLog(/Connected to WhatsApp/, 30_000);
      const data = randomBytes(10_000);
      const photo = await s.sim.sendMedia(alice, { kind: 'image', data, delayMs: SLOW_MS });
      // The voice note's slow file is on its way while the photo's is checked (both wait SLOW_MS at the media host).
      const note = opusenc.skip
        ? null
        : await s.sim.sendMedia(alice, { kind: 'audio', data: encodeVoiceNote(tonesPcm([440, 880], 0.5)), ptt: true, seconds: 1, delayMs: SLOW_MS });
      await s.receiver.waitFor(() => mediaEvents(photo.id).length > 0, 20_000, 'the media event');
      await stt.waitFor(() => stt.events('whatsapp_media_saved').some((d) => d.id === photo.id), 5_000, 'whatsapp_media_saved');
      assert.equal(stt.events('whatsapp_message').find((d) => d.id === photo.id)?.media.pending, true);
      const saved = stt.events('whatsapp_media_saved').find((d) => d.id === photo.id);
      assert.equal(saved.event, 'media');
      assert.equal(saved.media.sha256, hex(data));
      assert.equal(saved.media.path, mediaEvents(photo.id)[0].media.path);
      // DOCS.md's kinds table names this event and fields the real body has.
      const row = /^\| `media` \| [^|]+ \| `(\w+)` \| ([^\n]+) \|$/m.exec(readFileSync(new URL('../../DOCS.md', import.meta.url), 'utf8'))!;
      assert.equal(row[1], 'whatsapp_media_saved');
      for (const [, field] of row[2]!.matchAll(/`(\w+)` \(/g)) assert.ok(field! in saved && field! in mediaEvents(photo.id)[0], `media has ${field}`);

      if (!note) return;
      const pending = await s.payload(note.id);
      assert.equal(pending.media.pending, true);
      assert.equal(pending.content, 'Voice message (1 s)', 'no transcript yet');
      await s.receiver.waitFor(() => mediaEvents(note.id).length > 0, 20_000, "the voice note's media event");
      const [event] = mediaEvents(note.id);
      assert.equal(event.media.transcript, 'das Paket ist da');
      assert.equal(event.content, 'das Paket ist da', 'content is the transcript, as on a message');
    } finally {
      await stt.close();
    }
  });
});
