// Voice notes as text through the real stack: the daemon as a child process, Baileys against the
// simulator and its HTTPS media host, real Ogg Opus voice notes from opusenc, and a fake
// Supervisor with Home Assistant's speech-to-text API behind its Core proxy.
//
// Under the Supervisor (SUPERVISOR_TOKEN set) the page answers only the ingress proxy's address,
// so the daemon is paired first as a plain process and then started again, on the same state,
// with the Supervisor's variables; from then on the test reads its log instead of its page.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WaSimulator, type Contact } from '../../simulator/index.js';
import type { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { fakeSttSupervisor, OGG_ENGINE, PCM_ENGINE, type FakeSttSupervisor } from '../../simulator/harness/fake-stt-supervisor.js';
import { pairedDaemon, startDaemon } from '../support/paired-bridge.js';
import { encodeVoiceNote, opusenc, samplesOf, tonesIn, tonesPcm, VOICE_RATE } from '../../simulator/harness/voice-note.js';

const ENTITY = 'stt.test_engine';
const TONES = [440, 660, 880, 1320];
const TONE_SECONDS = 0.5;
const TIMEOUT_S = 5;
const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('voice notes as text through Home Assistant speech-to-text', { skip: opusenc.skip }, () => {
  let sim: WaSimulator;
  let receiver: TestReceiver;
  let daemon: BridgeProcess;
  let stt: FakeSttSupervisor;
  let alice: Contact;
  let bob: Contact;
  let note: Buffer;
  /** The page's status while the daemon ran without the Supervisor. */
  let plainStatus: any;

  before(async () => {
    note = encodeVoiceNote(tonesPcm(TONES, TONE_SECONDS));
    stt = await fakeSttSupervisor({ language: 'de' });
    stt.engine(ENTITY, { capabilities: OGG_ENGINE });
    sim = await WaSimulator.start({ media: true });
    receiver = await TestReceiver.start();
    const options = {
      media_folder: mkdtempSync(join(tmpdir(), 'wab-voice-')),
      send_interval: 0,
      voice_to_text: ENTITY,
      voice_to_text_timeout: TIMEOUT_S,
      ha_event_enabled: true,
    };
    const trust = { NODE_EXTRA_CA_CERTS: sim.media!.caFile };
    const plain = await pairedDaemon({ sim, receiver, options, env: trust });
    plainStatus = await (await fetch(new URL('api/status', plain.ingressUrl))).json();
    await plain.kill('SIGTERM');
    daemon = await startDaemon({ sim, receiver, dataDir: plain.dataDir, options, env: { ...trust, ...stt.env } });
    await daemon.waitForLog(/Connected to WhatsApp/, 30_000);
    alice = sim.contact({ phone: '4917600000071', pushName: 'Alice' });
    bob = sim.contact({ phone: '4917600000072', pushName: 'Bob' });
  });
  after(async () => {
    await daemon?.kill('SIGTERM');
    await sim?.stop();
    await receiver?.close();
    await stt?.close();
  });

  const sendNote = (from: Contact = alice) => sim.sendMedia(from, { kind: 'audio', data: note, ptt: true, seconds: 2 });
  /** The webhook payload of a message id. */
  const payload = async (id: string, timeoutMs = 15_000): Promise<any> => {
    await receiver.waitFor(() => receiver.accepted.some((p) => p.id === id), timeoutMs, `payload of ${id}`);
    return receiver.accepted.find((p) => p.id === id);
  };
  /** The daemon's log lines about a voice note without a transcript. */
  const failureLines = (id: string) => daemon.lines.filter((l) => l.includes(`Voice note ${id} is forwarded without a transcript`));

  /** The one POST a voice note caused, after `before` posts. */
  const onlyPostSince = (before: number) => {
    assert.equal(stt.posts.length, before + 1, 'one transcription request');
    return stt.posts[before]!;
  };

  test('without the Supervisor the option is refused with one problem, and the page shows it off', () => {
    assert.deepEqual(plainStatus.voice_to_text, { entity: null, last_error: null });
    const problems = plainStatus.problems.filter((p: { option: string }) => p.option === 'voice_to_text');
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /needs Home Assistant's Supervisor/);
  });

  test('an Ogg Opus engine gets the file unchanged; the transcript is in media, content and the event', async () => {
    stt.engine(ENTITY, { capabilities: OGG_ENGINE, text: 'Licht im Wohnzimmer an' });
    const posted = stt.posts.length;
    const { id } = await sendNote();
    const p = await payload(id);
    assert.equal(p.type, 'audio');
    assert.equal(p.content, 'Licht im Wohnzimmer an');
    assert.equal(p.media.transcript, 'Licht im Wohnzimmer an');
    assert.equal(p.media.transcript_error, null);
    assert.equal(p.media.voice, true);
    assert.equal(hex(readFileSync(p.media.path)), hex(note), 'the saved file');

    const post = onlyPostSince(posted);
    assert.equal(post.authorization, `Bearer ${stt.token}`);
    assert.ok(post.headerNames.includes('X-Speech-Content'), `sent exactly as X-Speech-Content: ${post.headerNames.join(', ')}`);
    // Home Assistant's "de" matched to the engine's "de-DE" (it also lists de-AT and de-CH).
    assert.deepEqual(post.speechContent, { format: 'ogg', codec: 'opus', sample_rate: '16000', bit_rate: '16', channel: '1', language: 'de-DE' });
    assert.equal(hex(post.body), hex(note), 'the engine got the voice note byte for byte');

    await stt.waitFor(() => stt.events('whatsapp_message').some((e) => e.id === id), 10_000, 'the whatsapp_message event');
    const event = stt.events('whatsapp_message').find((e) => e.id === id);
    assert.equal(event.type, 'audio');
    assert.equal(event.content, 'Licht im Wohnzimmer an');
    assert.equal(event.media.transcript, 'Licht im Wohnzimmer an');
  });

  test('a WAV/PCM engine (Wyoming) gets 16 kHz 16-bit mono PCM that holds the voice note', async () => {
    stt.engine(ENTITY, { capabilities: PCM_ENGINE, text: 'schalte das licht aus' });
    const posted = stt.posts.length;
    const { id } = await sendNote();
    const p = await payload(id);
    assert.equal(p.media.transcript, 'schalte das licht aus');
    assert.equal(p.content, 'schalte das licht aus');

    const post = onlyPostSince(posted);
    assert.deepEqual(post.speechContent, { format: 'wav', codec: 'pcm', sample_rate: '16000', bit_rate: '16', channel: '1', language: 'de' });
    assert.equal(post.body.length % 2, 0);
    const samples = samplesOf(post.body);
    const expected = TONES.length * TONE_SECONDS * VOICE_RATE;
    assert.ok(Math.abs(samples.length - expected) <= expected * 0.01, `${samples.length} samples, ${expected} sent`);
    assert.deepEqual(tonesIn(samples, TONES.length, TONES), TONES, 'each tone where it was, at its pitch');
  });

  test('the engine answers result "error": the voice note goes without a transcript, one log line says why', async () => {
    stt.engine(ENTITY, { capabilities: OGG_ENGINE, result: 'error' });
    const { id } = await sendNote();
    const p = await payload(id);
    assert.equal(p.media.transcript, null);
    assert.equal(p.media.transcript_error, `${ENTITY} could not transcribe it (result: error)`);
    assert.equal(p.content, 'Voice message (2 s)');
    assert.equal(p.media.error, null, 'the file itself is fine');
    assert.equal(failureLines(id).length, 1, 'one log line');
    assert.match(failureLines(id)[0]!, /WARN.*could not transcribe it \(result: error\)/);
  });

  test('an unknown entity (404), Home Assistant restarting (502) and an unsupported language each say so', async () => {
    stt.engine(ENTITY, undefined);
    const unknown = await payload((await sendNote()).id);
    assert.match(unknown.media.transcript_error, /^Home Assistant has no speech-to-text entity stt\.test_engine \(HTTP 404\)/);

    stt.engine(ENTITY, { capabilities: OGG_ENGINE, capabilitiesStatus: 502 });
    const restarting = await payload((await sendNote()).id);
    assert.match(restarting.media.transcript_error, /HTTP 502 .*may be restarting/);

    stt.engine(ENTITY, { capabilities: { ...OGG_ENGINE, languages: ['en-US', 'fr-FR'] } });
    const language = await payload((await sendNote()).id);
    assert.match(language.media.transcript_error, /^stt\.test_engine does not support language de /);
    for (const p of [unknown, restarting, language]) {
      assert.equal(p.media.transcript, null);
      assert.equal(p.content, 'Voice message (2 s)');
      assert.equal(failureLines(p.id).length, 1, `one log line for ${p.media.transcript_error}`);
    }
  });

  test('an audio file that is not a voice note is not transcribed (voice_to_text_all_audio is off)', async () => {
    const posted = stt.posts.length;
    stt.engine(ENTITY, { capabilities: OGG_ENGINE });
    const { id } = await sim.sendMedia(alice, { kind: 'audio', data: note, ptt: false });
    const p = await payload(id);
    assert.deepEqual([p.media.transcript, p.media.transcript_error, p.content], [null, null, 'Audio']);
    assert.equal(stt.posts.length, posted);
  });

  test(`a slow engine: the voice note goes after ${TIMEOUT_S} s without a transcript, the text behind it after it`, async () => {
    stt.engine(ENTITY, { capabilities: OGG_ENGINE, delayMs: 15_000 });
    const from = receiver.accepted.length;
    const started = Date.now();
    const voice = await sendNote();
    const text = await sim.sendText(alice, 'did you hear me?');
    const other = await sim.sendText(bob, 'meanwhile');
    const p = await payload(text.id, 20_000);
    const waited = Date.now() - started;
    const order = receiver.accepted.slice(from).map((m) => m.id);
    assert.ok(order.indexOf(voice.id) >= 0 && order.indexOf(voice.id) < order.indexOf(text.id), `alice's text after her voice note: ${order}`);
    assert.ok(order.indexOf(other.id) < order.indexOf(voice.id), `bob's message did not wait for alice's voice note: ${order}`);
    assert.equal(p.content, 'did you hear me?');
    const slow = receiver.accepted.find((m) => m.id === voice.id);
    assert.equal(slow.media.transcript, null);
    assert.equal(slow.media.transcript_error, `speech-to-text took longer than ${TIMEOUT_S} s`);
    assert.ok(waited >= TIMEOUT_S * 1000 && waited < TIMEOUT_S * 1000 + 4_000, `the chat waited ${waited} ms`);
  });

  test("Home Assistant's language was asked for once", () => {
    assert.equal(stt.requests.filter((r) => r.path === '/core/api/config').length, 1);
  });
});
