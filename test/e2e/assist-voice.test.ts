// Assist answering voice notes, through the real stack: the daemon as a child process, Baileys
// against the simulator and its HTTPS media host, real Ogg Opus voice notes from opusenc, and one
// fake Supervisor serving both Home Assistant's conversation API and (passed on to the
// speech-to-text fake, same token) its speech-to-text API, as the real Core proxy does.
//
// Under the Supervisor the page answers only the ingress proxy's address, so the daemon is paired
// first as a plain process and then started again, on the same state, with the Supervisor's
// variables (as test/e2e/voice-to-text.test.ts does).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WaSimulator, type Contact, type Group } from '../../simulator/index.js';
import type { BridgeProcess } from '../../simulator/harness/bridge-process.js';
import { TestReceiver } from '../../simulator/harness/receiver.js';
import { fakeSttSupervisor, OGG_ENGINE, type FakeSttSupervisor } from '../../simulator/harness/fake-stt-supervisor.js';
import { encodeVoiceNote, opusenc, tonesPcm } from '../../simulator/harness/voice-note.js';
import { sleep } from '../../simulator/waits.js';
import { FakeAssistSupervisor } from '../support/fake-assist-supervisor.js';
import { pairedDaemon, startDaemon } from '../support/paired-bridge.js';

const ENTITY = 'stt.test_engine';
const TOKEN = 'supervisor-token-for-assist-voice-tests';

describe('Assist answers a voice note from its transcript', { skip: opusenc.skip }, () => {
  let sim: WaSimulator;
  let receiver: TestReceiver;
  let daemon: BridgeProcess;
  let stt: FakeSttSupervisor;
  let fake: FakeAssistSupervisor;
  let alice: Contact;
  let bob: Contact;
  let carol: Contact;
  let kitchen: Group;
  let note: Buffer;

  before(async () => {
    note = encodeVoiceNote(tonesPcm([440, 880], 0.5));
    stt = await fakeSttSupervisor({ token: TOKEN, language: 'en' });
    fake = await FakeAssistSupervisor.start(TOKEN, new URL(stt.env.SUPERVISOR_URL));
    sim = await WaSimulator.start({ media: true });
    receiver = await TestReceiver.start();
    const options = { media_folder: mkdtempSync(join(tmpdir(), 'wab-assist-voice-')), send_interval: 0, voice_to_text: ENTITY, voice_language: 'en' };
    const trust = { NODE_EXTRA_CA_CERTS: sim.media!.caFile };
    const plain = await pairedDaemon({ sim, receiver, options, env: trust });
    alice = sim.contact({ phone: '4917600000311', pushName: 'Alice' });
    bob = sim.contact({ phone: '4917600000312', pushName: 'Bob' });
    carol = sim.contact({ phone: '4917600000313', pushName: 'Carol' });
    kitchen = sim.createGroup({ subject: 'Kitchen', participants: [bob, carol] }, bob);
    await plain.kill('SIGTERM');
    daemon = await startDaemon({
      sim,
      receiver,
      dataDir: plain.dataDir,
      options: { ...options, assist_chats: ['+49 176 0000 0311', kitchen.jid] },
      env: { ...trust, ...fake.env },
    });
    await daemon.waitForLog(/Connected to WhatsApp/, 30_000);
  });
  after(async () => {
    await daemon?.kill('SIGTERM');
    await sim?.stop();
    await receiver?.close();
    await fake?.close();
    await stt?.close();
  });

  /** `from` sends a voice note whose transcript is `heard`. */
  function sendNote(from: Contact, heard: string, group?: Group) {
    stt.engine(ENTITY, { capabilities: OGG_ENGINE, text: heard });
    return sim.sendMedia(from, { kind: 'audio', data: note, ptt: true, seconds: 1 }, group ? { group } : {});
  }
  const bodiesOf = (id: string) => receiver.accepted.filter((p) => p.id === id);
  /** Waits until the message `id` was forwarded (with its transcript), then a moment for any post to the agent. */
  async function notAsked(id: string, posts: number): Promise<void> {
    await receiver.waitFor(() => bodiesOf(id).some((p) => p.event === 'message'), 20_000, `the message ${id}`);
    await sleep(2000);
    assert.equal(fake.posts.length, posts, 'nothing was sent to the agent');
  }

  test('a voice note from an allowed contact is answered from its transcript, as a reply; its answer follows it to the webhook', async () => {
    const posts = fake.posts.length;
    const voice = await sendNote(alice, 'is the garage door open');
    const text = await sim.sendText(alice, 'thanks');
    const reply = await sim.waitForOutgoing((m) => m.message.extendedTextMessage?.contextInfo?.stanzaId === voice.id, 30_000);
    assert.equal(reply.message.extendedTextMessage?.text, 'You said: is the garage door open');
    const asked = (await fake.waitForPosts(posts + 2)).slice(posts);
    assert.deepEqual(
      asked.map((p) => p.body.text),
      ['is the garage door open', 'thanks'],
      'the transcript is the question, the text behind it next',
    );
    assert.equal(asked[0]!.authorized, true);
    assert.deepEqual(asked[0]!.body, { text: 'is the garage door open', language: 'en' });

    await receiver.waitFor(() => bodiesOf(text.id).some((p) => p.event === 'assist'), 20_000, 'both answers');
    const order = receiver.accepted.filter((p) => p.id === voice.id || p.id === text.id).map((p) => `${p.event}:${p.id === voice.id ? 'voice' : 'text'}`);
    assert.deepEqual(order, ['message:voice', 'message:text', 'assist:voice', 'assist:text'], 'forwarded in order; each answer behind');
    const [message, answer] = bodiesOf(voice.id);
    assert.equal(message.content, 'is the garage door open', 'the message carries its transcript');
    assert.equal(answer.question, 'is the garage door open');
    assert.deepEqual(answer.assist, {
      response_type: 'query_answer',
      speech: 'You said: is the garage door open',
      conversation_id: `conv-${posts + 1}`,
      error: null,
      reply_id: reply.id,
    });
  });

  test('in a group the transcript must start with the prefix as spoken ("Home, …" for @home)', async () => {
    const posts = fake.posts.length;
    const spoken = await sendNote(bob, 'Home, switch off the oven', kitchen);
    const reply = await sim.waitForOutgoing((m) => m.message.extendedTextMessage?.contextInfo?.stanzaId === spoken.id && m.to === kitchen.jid, 30_000);
    assert.equal(reply.message.extendedTextMessage?.text, 'You said: switch off the oven');
    assert.equal((await fake.waitForPosts(posts + 1))[posts]!.body.text, 'switch off the oven', 'asked without the prefix');

    const chatter = await sendNote(carol, 'the oven is still hot', kitchen);
    await notAsked(chatter.id, posts + 1);
  });

  test('a voice note from an unlisted sender, or one without a transcript, never reaches the agent', async () => {
    const posts = fake.posts.length;
    const unlisted = await sendNote(carol, 'open the front door');
    await notAsked(unlisted.id, posts);

    stt.engine(ENTITY, { capabilities: OGG_ENGINE, result: 'error' });
    const unheard = await sim.sendMedia(alice, { kind: 'audio', data: note, ptt: true, seconds: 1 });
    await notAsked(unheard.id, posts);
    assert.equal(bodiesOf(unheard.id)[0].media.transcript, null);
    await daemon.waitForLog(new RegExp(`Assist: voice note ${unheard.id} in .* has no transcript \\(${ENTITY} could not transcribe it`), 5000);
    assert.ok(!bodiesOf(unheard.id).some((p) => p.event === 'assist'), 'no answer, no assist event');
  });
});
