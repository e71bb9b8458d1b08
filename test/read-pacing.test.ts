import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../src/logging/logger.js';
import { ReadPacing, type ReadPacingLimits } from '../src/whatsapp/read-pacing.js';
import { sleep, waitForEvent } from '../simulator/waits.js';

/** Small limits, so the timers run in tens of milliseconds. */
const LIMITS: ReadPacingLimits = { pauseAt: 10, resumeAt: 3, stuckMs: 60, holdOffMs: 300 };

/**
 * What ReadPacing uses of Baileys' socket client: the `stanzas.waiting` count it emits (patch 9)
 * and pause/resume, recorded with their time. It also emits `resumed`, for the test to wait on.
 */
class SocketClientStandIn extends EventEmitter {
  readonly calls: { call: 'pause' | 'resume'; at: number }[] = [];

  pause(): void {
    this.calls.push({ call: 'pause', at: Date.now() });
  }

  resume(): void {
    this.calls.push({ call: 'resume', at: Date.now() });
    this.emit('resumed');
  }

  get callNames(): string[] {
    return this.calls.map((c) => c.call);
  }

  /** The first resume, once it happened (a bounded wait). */
  firstResume(): Promise<{ at: number }> {
    return waitForEvent(this, ['resumed'], () => this.calls.find((c) => c.call === 'resume'), 2000, 'a resume');
  }

  /** Baileys reports each new count of received stanzas not yet handled. */
  waiting(...counts: number[]): void {
    for (const n of counts) this.emit('stanzas.waiting', n);
  }
}

const upTo = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function setup() {
  const client = new SocketClientStandIn();
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const pacing = new ReadPacing(client as unknown as ConstructorParameters<typeof ReadPacing>[0], createLogger('debug', destination), LIMITS);
  return { client, lines, pacing };
}

test('pauses when pauseAt stanzas wait, not before, and only once', () => {
  const { client, lines, pacing } = setup();
  client.waiting(...upTo(1, 9));
  assert.deepEqual(client.callNames, [], 'nothing paused below pauseAt');
  client.waiting(10);
  assert.deepEqual(client.callNames, ['pause']);
  assert.ok(
    lines.some((l) => l.includes('DEBUG') && l.includes('Reading from WhatsApp paused: 10 received stanzas wait to be handled.')),
    lines.join('\n'),
  );
  client.waiting(11, 12, 11);
  assert.deepEqual(client.callNames, ['pause'], 'no second pause while paused');
  pacing.stop();
});

test('resumes when no more than resumeAt wait, and pauses again at pauseAt', () => {
  const { client, lines, pacing } = setup();
  client.waiting(...upTo(1, 10));
  client.waiting(9, 8, 7, 6, 5, 4);
  assert.deepEqual(client.callNames, ['pause'], 'still paused above resumeAt');
  client.waiting(3);
  assert.deepEqual(client.callNames, ['pause', 'resume']);
  // a resume after work was done is no stall: no hold-off
  client.waiting(...upTo(4, 10));
  assert.deepEqual(client.callNames, ['pause', 'resume', 'pause']);
  assert.ok(!lines.some((l) => l.includes('Reading from WhatsApp again')), 'no stall was logged');
  pacing.stop();
});

test('while paused, handled stanzas keep it paused; counts that only go up let the stall rule resume', async () => {
  const { client, lines, pacing } = setup();
  client.waiting(...upTo(1, 10));
  // for well over stuckMs, one stanza is handled every 20 ms (one more arrives each time too)
  let lastHandled = 0;
  for (let i = 0; i < 8; i++) {
    await sleep(20);
    client.waiting(11, 10);
    lastHandled = Date.now();
  }
  assert.deepEqual(client.callNames, ['pause'], 'handled stanzas refresh the stall timer');
  // now stanzas only arrive: nothing is handled
  let arriving = 10;
  const arrivals = setInterval(() => client.waiting(++arriving), 10);
  const resume = await client.firstResume().finally(() => clearInterval(arrivals));
  assert.deepEqual(client.callNames, ['pause', 'resume']);
  const stalledFor = resume.at - lastHandled;
  assert.ok(stalledFor >= LIMITS.stuckMs - 2, `resumed ${stalledFor} ms after the last handled stanza, stuckMs is ${LIMITS.stuckMs}`);
  assert.ok(arriving > 11, 'counts went up meanwhile without refreshing the timer');
  assert.ok(
    lines.some((l) => l.includes('Reading from WhatsApp again: nothing was handled for 60 ms')),
    lines.join('\n'),
  );
  pacing.stop();
});

test('after a stall it reads on for holdOffMs before it pauses again', async () => {
  const { client, pacing } = setup();
  client.waiting(...upTo(1, 10));
  const resumedAt = (await client.firstResume()).at;
  client.waiting(...upTo(11, 40));
  assert.ok(Date.now() < resumedAt + LIMITS.holdOffMs, 'these counts came within the hold-off');
  assert.deepEqual(client.callNames, ['pause', 'resume'], 'no pause during the hold-off');
  await sleep(resumedAt + LIMITS.holdOffMs + 10 - Date.now());
  client.waiting(41);
  assert.deepEqual(client.callNames, ['pause', 'resume', 'pause'], 'paused again after the hold-off');
  pacing.stop();
});

test('stop() resumes a paused socket and detaches; unpaused, it only detaches', async () => {
  const { client, pacing } = setup();
  client.waiting(...upTo(1, 10));
  pacing.stop();
  assert.deepEqual(client.callNames, ['pause', 'resume']);
  assert.equal(client.listenerCount('stanzas.waiting'), 0, 'no listener left on the socket');
  client.waiting(...upTo(11, 20));
  await sleep(LIMITS.stuckMs + 40);
  assert.deepEqual(client.callNames, ['pause', 'resume'], 'no count and no stall timer acts after stop');

  const other = setup();
  other.client.waiting(1, 2, 3);
  other.pacing.stop();
  assert.deepEqual(other.client.callNames, [], 'a socket that reads is left alone');
  assert.equal(other.client.listenerCount('stanzas.waiting'), 0);
});
