// A destination that exists only in this test, registered next to the registry's: the bridge
// gives it the durable queue, retries, per-chat order, dead-lettering and its row in GET
// api/status, with no file of the app changed. Real Baileys against the simulator, the real
// state file, the real page server on 127.0.0.1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Destination } from '../../src/delivery/destination.js';
import type { AttemptResult, Delivery, DeliverySender } from '../../src/delivery/sender.js';
import { DESTINATION_UNITS } from '../../src/destinations/registry.js';
import { shared, type DestinationRow, type DestinationUnit } from '../../src/destinations/unit.js';
import { pairedBridge } from '../support/paired-bridge.js';

/** What the notebook receives: the chat and the text, in the order they came. */
interface Note {
  chat: string;
  text: string;
}

/** The notebook's far end: it answers with `status` (null: unreachable) and keeps what it took. */
class Notebook implements DeliverySender {
  readonly target = 'the notebook';
  status: (note: Note) => number | null = () => 200;
  readonly taken: Note[] = [];
  attempts = 0;

  async send(delivery: Delivery): Promise<AttemptResult> {
    this.attempts++;
    const note = JSON.parse(delivery.body) as Note;
    const status = this.status(note);
    if (status !== null && status >= 200 && status < 300) this.taken.push(note);
    return { status, error: status === null ? 'unreachable' : status < 300 ? null : `HTTP ${status}`, durationMs: 1, retryAfter: null };
  }
}

function notebookUnit(notebook: Notebook): DestinationUnit {
  return {
    name: 'notebook',
    label: 'Notebook',
    build: (context) =>
      new Destination({
        ...shared(context),
        name: 'notebook',
        sender: notebook,
        bodyFor: ({ payload }) => (payload.event === 'message' ? JSON.stringify({ chat: payload.chat, text: payload.content }) : null),
      }),
  };
}

async function row(url: string): Promise<DestinationRow> {
  const status = (await (await fetch(new URL('api/status', url))).json()) as { destinations: DestinationRow[] };
  const found = status.destinations.find((d) => d.name === 'notebook');
  assert.ok(found, 'the notebook has its row in GET api/status');
  return found;
}

test('a destination only this test knows gets the durable queue, retries, per-chat order, dead letters and its row', async () => {
  const notebook = new Notebook();
  const s = await pairedBridge({ destinations: [...DESTINATION_UNITS, notebookUnit(notebook)], options: { media_download: false } });
  try {
    const alice = s.sim.contact({ phone: '4917600000071' });
    const bob = s.sim.contact({ phone: '4917600000072' });
    assert.deepEqual(await row(s.bridge.url), {
      name: 'notebook',
      label: 'Notebook',
      enabled: true,
      target: 'the notebook',
      paused: null,
      delivered: 0,
      queued: 0,
      retrying: 0,
      dead: 0,
    });

    // Unreachable: 20 messages from two chats wait in the state file, and survive a restart.
    notebook.status = () => null;
    await s.sim.sendMany(20, (i) => ({ from: i % 2 ? bob : alice, text: `note ${i}` }));
    await s.receiver.waitFor(() => s.receiver.accepted.length >= 20, 8000, 'the webhook beside it keeps flowing');
    await s.bridge.status.waitFor((st) => st.destinations.some((d) => d.name === 'notebook' && d.queued === 20 && d.retrying > 0), 8000, 'retrying');
    await s.restart();
    await s.bridge.status.waitForState('connected');
    assert.equal((await row(s.bridge.url)).queued, 20, 'still queued after the restart');

    // Back: every note arrives once, each chat's in the order sent.
    notebook.status = () => 200;
    await s.bridge.status.waitFor((st) => st.destinations.some((d) => d.name === 'notebook' && d.delivered === 20), 15_000, '20 delivered');
    assert.equal(notebook.taken.length, 20);
    for (const chat of [alice.jid, bob.jid]) {
      const numbers = notebook.taken.filter((n) => n.chat === chat).map((n) => Number(n.text.split(' ')[1]));
      assert.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
        `${chat} in order`,
      );
      assert.equal(numbers.length, 10);
    }

    // Refused for good: a dead letter, on the row until the page re-queues it.
    notebook.status = (note) => (note.text === 'refused' ? 400 : 200);
    await s.sim.sendMessage(alice, { conversation: 'refused' });
    await s.bridge.status.waitFor((st) => st.destinations.some((d) => d.name === 'notebook' && d.dead === 1), 8000, 'one dead');
    notebook.status = () => 200;
    const retried = await fetch(new URL('api/deliveries/retry-dead', s.bridge.url), { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    assert.deepEqual(await retried.json(), { requeued: 1 });
    await s.bridge.status.waitFor(
      (st) => st.destinations.some((d) => d.name === 'notebook' && d.dead === 0 && d.delivered === 21),
      8000,
      're-queued and delivered',
    );
    assert.equal(notebook.taken.at(-1)?.text, 'refused');

    // The page's table lists its attempts: the retried heads delivered on a later attempt, the dead letter.
    const answer = await fetch(new URL('api/deliveries?limit=200', s.bridge.url));
    const { deliveries } = (await answer.json()) as { deliveries: Array<{ destination: string; outcome: string; attempt: number }> };
    const mine = deliveries.filter((d) => d.destination === 'notebook');
    assert.ok(
      mine.some((d) => d.outcome === 'delivered' && d.attempt >= 2),
      'a queued head was retried until delivered',
    );
    assert.ok(mine.some((d) => d.outcome === 'dead'));
  } finally {
    await s.close();
  }
});
