// The parts of voice notes as text one by one: the options, matching a language to the engine's,
// the X-Speech-Content header, picking Ogg or PCM, the decoder (on real opusenc files), the
// client's requests against the fake Supervisor, and the transcriber's deadline and language cache.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { parseOptions } from '../src/config/options.js';
import { VOICE_OFF } from '../src/config/voice-options.js';
import type { MediaPayload } from '../src/payload/message-payload.js';
import { decodeOggOpus } from '../src/stt/opus-pcm.js';
import {
  chooseDelivery,
  matchLanguage,
  oggOpusInfo,
  parseCapabilities,
  speechContentHeader,
  unsupportedReason,
  type EngineCapabilities,
} from '../src/stt/speech-format.js';
import { supervisorSttClient, type SttClient } from '../src/stt/stt-client.js';
import { SupervisorClient } from '../src/supervisor/supervisor-client.js';
import { Transcriber } from '../src/stt/transcriber.js';
import { fakeSttSupervisor, OGG_ENGINE, PCM_ENGINE } from '../simulator/harness/fake-stt-supervisor.js';
import { encodeVoiceNote, opusenc, samplesOf, tonesIn, tonesPcm } from '../simulator/harness/voice-note.js';
import { sleep } from '../simulator/waits.js';

const TONES = [500, 750, 1100];

describe('options', () => {
  test('off by default; an entity id, a language, all audio and the timeout are read', () => {
    assert.deepEqual(parseOptions({}).options.voice, VOICE_OFF);
    const { options, problems } = parseOptions({
      voice_to_text: ' stt.Faster_Whisper ',
      voice_language: 'de-AT',
      voice_to_text_all_audio: true,
      voice_to_text_timeout: 30,
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(options.voice, { entity: 'stt.faster_whisper', language: 'de-AT', allAudio: true, timeoutMs: 30_000 });
    assert.equal(parseOptions({ voice_to_text: '' }).options.voice.entity, null, 'empty is off');
  });

  test('each mistake is one problem that says what to fix, and the feature stays off', () => {
    const cases: Array<[Record<string, unknown>, { supervisorAvailable: boolean }, RegExp]> = [
      [{ voice_to_text: 'home_assistant_cloud' }, { supervisorAvailable: true }, /must be a speech-to-text entity id such as stt\.home_assistant_cloud/],
      [{ voice_to_text: 'tts.piper' }, { supervisorAvailable: true }, /not "tts\.piper"/],
      [{ voice_to_text: 'stt.cloud' }, { supervisorAvailable: false }, /needs Home Assistant's Supervisor/],
      [{ voice_to_text: 'stt.cloud', media_download: false }, { supervisorAvailable: true }, /needs 'media_download' on/],
    ];
    for (const [raw, context, message] of cases) {
      const { options, problems } = parseOptions(raw, context);
      assert.equal(options.voice.entity, null, JSON.stringify(raw));
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0]!.option, 'voice_to_text');
      assert.match(problems[0]!.message, message);
      assert.match(problems[0]!.message, /forwarded without a transcript until it is fixed\.$/);
    }
    const language = parseOptions({ voice_to_text: 'stt.cloud', voice_language: 'German!' });
    assert.equal(language.options.voice.entity, 'stt.cloud', 'a wrong language does not turn the feature off');
    assert.equal(language.options.voice.language, null);
    assert.match(language.problems[0]!.message, /^Option 'voice_language' must be a language code such as de, en-US/);
    const timeout = parseOptions({ voice_to_text_timeout: 2 });
    assert.equal(timeout.options.voice.timeoutMs, 60_000);
    assert.match(timeout.problems[0]!.message, /'voice_to_text_timeout' must be a number from 5 to 300/);
  });
});

describe('the engine: language, format and header', () => {
  test('a language matches the same tag first, then the bare language, then its home region', () => {
    const cloud = ['en-US', 'de-AT', 'de-CH', 'de-DE', 'pt-BR', 'pt-PT'];
    assert.equal(matchLanguage('de', cloud), 'de-DE', 'the home region, not the first listed');
    assert.equal(matchLanguage('de-CH', cloud), 'de-CH');
    assert.equal(matchLanguage('de_ch', cloud), 'de-CH', 'case and _ aside');
    assert.equal(matchLanguage('en', cloud), 'en-US', 'no en-EN: the first English');
    assert.equal(matchLanguage('pt', cloud), 'pt-PT');
    assert.equal(matchLanguage('de-LU', cloud), 'de-DE');
    const whisper = ['de', 'en', 'fr'];
    assert.equal(matchLanguage('de', whisper), 'de');
    assert.equal(matchLanguage('de-DE', whisper), 'de');
    assert.equal(matchLanguage('it', whisper), null);
    assert.equal(matchLanguage('d', whisper), null, 'no partial subtags');
  });

  test('the header names all six fields', () => {
    const header = speechContentHeader({ format: 'ogg', codec: 'opus', sampleRate: 16000, bitRate: 16, channel: 1, language: 'de-DE' });
    assert.equal(header, 'format=ogg; codec=opus; sample_rate=16000; bit_rate=16; channel=1; language=de-DE');
  });

  test('Ogg Opus as it is when the engine takes it, else PCM at a rate it takes, else a reason', () => {
    const mono = { channels: 1 };
    assert.deepEqual(chooseDelivery(OGG_ENGINE, mono, 'de-DE'), {
      as: 'ogg',
      metadata: { format: 'ogg', codec: 'opus', sampleRate: 16000, bitRate: 16, channel: 1, language: 'de-DE' },
    });
    assert.deepEqual(chooseDelivery(PCM_ENGINE, mono, 'de'), {
      as: 'pcm',
      metadata: { format: 'wav', codec: 'pcm', sampleRate: 16000, bitRate: 16, channel: 1, language: 'de' },
    });
    assert.equal(chooseDelivery(OGG_ENGINE, { channels: 2 }, 'de-DE')?.as, 'pcm', 'a stereo file for a mono engine is mixed down');
    assert.equal(chooseDelivery({ ...PCM_ENGINE, sample_rates: [44100, 48000] }, mono, 'de')?.metadata.sampleRate, 48000, 'a rate libopus decodes to');
    const mp3Only: EngineCapabilities = { ...PCM_ENGINE, formats: ['mp3'], codecs: ['mp3'], sample_rates: [44100] };
    assert.equal(chooseDelivery(mp3Only, mono, 'de'), null);
    assert.match(unsupportedReason(mp3Only), /takes neither Ogg Opus nor 16-bit mono PCM \(it lists formats mp3, codecs mp3, sample rates 44100/);
  });

  test('the capabilities answer is checked', () => {
    assert.deepEqual(parseCapabilities(JSON.parse(JSON.stringify(OGG_ENGINE))), OGG_ENGINE);
    assert.equal(parseCapabilities({ languages: ['de'] }), null);
    assert.equal(parseCapabilities('nope'), null);
  });
});

describe('the decoder', { skip: opusenc.skip }, () => {
  const pcm = tonesPcm(TONES, 0.4);
  const note = () => encodeVoiceNote(pcm);

  test('an opusenc voice note is Ogg Opus, mono; an mp3 or noise is not', () => {
    assert.deepEqual(oggOpusInfo(note()), { channels: 1 });
    assert.equal(oggOpusInfo(Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00' + 'x'.repeat(100))), null);
    assert.equal(oggOpusInfo(Buffer.alloc(10)), null);
  });

  test('decodes to 16 kHz 16-bit mono of the same length, each tone where it was', async () => {
    const decoded = await decodeOggOpus(note(), 16000);
    assert.equal(decoded.sampleRate, 16000);
    assert.equal(decoded.pcm.length, decoded.samples * 2);
    assert.ok(Math.abs(decoded.samples - pcm.length / 2) <= 1, `${decoded.samples} samples for ${pcm.length / 2}`);
    assert.deepEqual(tonesIn(samplesOf(decoded.pcm), TONES.length, TONES), TONES);
  });

  test('decodes straight to 48 kHz too (no resampler), and refuses a damaged file', async () => {
    const decoded = await decodeOggOpus(note(), 48000);
    assert.ok(Math.abs(decoded.samples - (pcm.length / 2) * 3) <= 3, `${decoded.samples} samples at 48 kHz`);
    assert.deepEqual(tonesIn(samplesOf(decoded.pcm), TONES.length, TONES, 48000), TONES);
    const damaged = note();
    damaged.fill(0x55, 200);
    await assert.rejects(decodeOggOpus(damaged, 16000), /could not be decoded|holds no audio/);
  });
});

describe('the client, against the fake Supervisor', () => {
  test('X-Speech-Content goes out spelled exactly so, with the bearer token; the answer is the text', async () => {
    const stt = await fakeSttSupervisor();
    try {
      stt.engine('stt.cloud', { capabilities: OGG_ENGINE, text: ' hallo ' });
      const client = supervisorSttClient(new SupervisorClient(stt.env.SUPERVISOR_URL, stt.token));
      const signal = AbortSignal.timeout(5_000);
      assert.equal(await client.coreLanguage(signal), 'de');
      assert.deepEqual(await client.capabilities('stt.cloud', signal), OGG_ENGINE);
      const header = 'format=ogg; codec=opus; sample_rate=16000; bit_rate=16; channel=1; language=de-DE';
      assert.equal(await client.transcribe('stt.cloud', header, Buffer.from('OggS...'), signal), 'hallo');
      const post = stt.posts[0]!;
      assert.ok(post.headerNames.includes('X-Speech-Content'), post.headerNames.join(', '));
      assert.ok(!post.headerNames.includes('x-speech-content'));
      assert.equal(post.authorization, `Bearer ${stt.token}`);
      assert.equal(post.body.toString(), 'OggS...');
      await assert.rejects(client.transcribe('stt.cloud', header.replace('de-DE', 'xx'), Buffer.from('x'), signal), /does not take .* \(HTTP 415\)/);
      await assert.rejects(client.capabilities('stt.nothing', signal), /no speech-to-text entity stt\.nothing \(HTTP 404\)/);
      const wrongToken = supervisorSttClient(new SupervisorClient(stt.env.SUPERVISOR_URL, 'wrong'));
      await assert.rejects(wrongToken.capabilities('stt.cloud', signal), /refused the app's token .* \(HTTP 401\)/);
    } finally {
      await stt.close();
    }
  });

  test('Home Assistant down (connection refused) says it may be restarting', async () => {
    const port = await freePort();
    const client = supervisorSttClient(new SupervisorClient(`http://127.0.0.1:${port}`, 't'));
    await assert.rejects(client.capabilities('stt.cloud', AbortSignal.timeout(5_000)), /could not be reached \(connection refused\); it may be restarting/);
  });
});

describe('the transcriber', () => {
  const media = { voice: true, mimetype: 'audio/ogg; codecs=opus' } as MediaPayload;
  const options = { ...VOICE_OFF, entity: 'stt.cloud', timeoutMs: 1_000 };
  const silent = pino({ level: 'silent' });

  /** An Ogg file with an OpusHead is all the transcriber looks at before asking the engine. */
  function oggFile(): string {
    const head = Buffer.alloc(64);
    head.write('OggS', 0, 'latin1');
    head[26] = 1; // one segment
    head.write('OpusHead', 28, 'latin1');
    head[37] = 1; // channels
    const file = join(mkdtempSync(join(tmpdir(), 'wab-stt-')), 'note.ogg');
    writeFileSync(file, head);
    return file;
  }

  function fakeClient(change: Partial<SttClient> = {}): SttClient & { languageCalls: number } {
    const client = {
      languageCalls: 0,
      async coreLanguage() {
        client.languageCalls++;
        return 'de';
      },
      capabilities: async () => OGG_ENGINE,
      transcribe: async () => 'hallo',
      ...change,
    };
    return client;
  }

  test("the text comes back; Home Assistant's language is asked for once", async () => {
    const client = fakeClient();
    const transcriber = new Transcriber('stt.cloud', options, client, silent);
    const file = oggFile();
    for (let i = 0; i < 3; i++) assert.deepEqual(await transcriber.transcribe(file, media, `M${i}`), { transcript: 'hallo', error: null });
    assert.equal(client.languageCalls, 1);
    assert.equal(transcriber.lastError, null);
  });

  test('an engine that never answers ends at the deadline, whatever it waits for', async () => {
    const transcriber = new Transcriber('stt.cloud', options, fakeClient({ transcribe: () => new Promise(() => {}) }), silent);
    const started = Date.now();
    const result = await transcriber.transcribe(oggFile(), media, 'SLOW');
    assert.deepEqual(result, { transcript: null, error: 'speech-to-text took longer than 1 s' });
    assert.ok(Date.now() - started < 1_500);
    assert.equal(transcriber.lastError, result.error);
  });

  test('voice notes wait for one of two slots; time waiting counts towards the deadline', async () => {
    let running = 0;
    let most = 0;
    const transcribe = async () => {
      most = Math.max(most, ++running);
      await sleep(600);
      running--;
      return 'ok';
    };
    const transcriber = new Transcriber('stt.cloud', options, fakeClient({ transcribe }), silent);
    const file = oggFile();
    const results = await Promise.all([1, 2, 3].map((i) => transcriber.transcribe(file, media, `M${i}`)));
    assert.equal(most, 2);
    assert.deepEqual(
      results.map((r) => r.transcript ?? r.error),
      ['ok', 'ok', 'speech-to-text took longer than 1 s'],
    );
  });

  test('only voice notes, unless all audio is asked for; never video', () => {
    const voiceOnly = new Transcriber('stt.cloud', options, fakeClient(), silent);
    const all = new Transcriber('stt.cloud', { ...options, allAudio: true }, fakeClient(), silent);
    const file = { ...media, voice: false };
    assert.deepEqual(
      [voiceOnly.wants(media, 'audio'), voiceOnly.wants(file, 'audio'), all.wants(file, 'audio'), all.wants(file, 'video')],
      [true, false, true, false],
    );
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
