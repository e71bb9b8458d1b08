import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Bus } from '../../src/bus.js';
import { Destination } from '../../src/delivery/destination.js';
import { DeliveryLog } from '../../src/delivery/delivery-log.js';
import { createHttpClient } from '../../src/delivery/http-post.js';
import { Outbox } from '../../src/delivery/outbox.js';
import { WebhookSender } from '../../src/destinations/webhook/webhook-sender.js';
import { openDatabase, type Db } from '../../src/state/database.js';

/** A webhook delivery channel over a real state file, pointed at a URL. */
export function webhookChannel(url: string, opts: { dataDir?: string; timeoutMs?: number; token?: string; secret?: string; concurrency?: number } = {}) {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wab-delivery-'));
  const db: Db = openDatabase(dataDir);
  const outbox = new Outbox(db);
  const log = new DeliveryLog(db);
  void log.start(); // synchronous: the last attempts are read at once
  const bus = new Bus();
  const channel = new Destination({
    name: 'webhook',
    sender: new WebhookSender({ state: 'on', url: new URL(url), token: opts.token ?? null, secret: opts.secret ?? null }, createHttpClient(opts.timeoutMs)),
    bodyFor: ({ payload }) => JSON.stringify(payload),
    outbox,
    log,
    bus,
    logger: pino({ level: 'silent' }),
    concurrency: opts.concurrency,
  });
  /** Commits messages the way the forwarder does, then wakes the channel. */
  const enqueue = (messages: Array<{ chat: string; id: string; body?: unknown }>) => {
    const touched = outbox.accept(
      messages.map((m) => ({ chat: m.chat, messageId: m.id, bodies: { webhook: JSON.stringify(m.body ?? { chat: m.chat, id: m.id }) } })),
      Date.now(),
    );
    channel.wake(touched.get('webhook') ?? []);
  };
  const close = async () => {
    await channel.stop();
    await log.stop(); // writes the attempts that waited in memory, as the bridge's stop does
    db.close();
  };
  return { dataDir, db, outbox, log, bus, channel, enqueue, close };
}
