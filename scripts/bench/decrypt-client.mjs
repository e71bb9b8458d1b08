// (a) of the benchmark: the Baileys client alone, Signal keys in a Map, nothing persisted or
// forwarded. Plain Node (no tsx), like the built bridge. Talks to the benchmark over IPC.
import { initAuthCreds, makeWASocket } from '@whiskeysockets/baileys';
import { pino } from 'pino';

const wsUrl = process.argv[2];
const data = new Map();
const keys = {
  get: (type, ids) => Object.fromEntries(ids.filter((id) => data.has(`${type}/${id}`)).map((id) => [id, data.get(`${type}/${id}`)])),
  set: (set) => {
    for (const [type, entries] of Object.entries(set)) {
      for (const [id, value] of Object.entries(entries)) value == null ? data.delete(`${type}/${id}`) : data.set(`${type}/${id}`, value);
    }
  },
};
const auth = { creds: initAuthCreds(), keys };
const now = () => performance.timeOrigin + performance.now();

// Messages are counted per burst tag ("burst:<tag>:<i> ..."), whenever they arrive: a burst's
// first messages can be emitted before the benchmark's "expect" reaches this process.
const seen = new Map(); // tag -> { ids: Set, lastAt }
let waiting = null; // { tag, count }

function report() {
  const got = waiting && seen.get(waiting.tag);
  if (got && got.ids.size >= waiting.count) {
    process.send({ kind: 'received', at: got.lastAt });
    waiting = null;
  }
}

function connect() {
  const sock = makeWASocket({ auth, logger: pino({ level: 'silent' }), waWebSocketUrl: wsUrl, markOnlineOnConnect: false });
  sock.ev.on('messages.upsert', ({ messages }) => {
    for (const m of messages) {
      const tag = /^burst:([^:]+):/.exec(m.message?.conversation ?? '')?.[1];
      if (!tag) continue;
      const entry = seen.get(tag) ?? { ids: new Set(), lastAt: 0 };
      entry.ids.add(m.key.id);
      entry.lastAt = now();
      seen.set(tag, entry);
    }
    report();
  });
  sock.ev.on('connection.update', (u) => {
    if (u.qr) process.send({ kind: 'qr', qr: u.qr });
    if (u.connection === 'open') process.send({ kind: 'open' });
    if (u.connection === 'close') connect(); // 515 after pairing: same creds, new socket
  });
}

process.on('message', (m) => {
  if (m.kind === 'expect') {
    waiting = { tag: m.tag, count: m.count };
    report();
  }
});
connect();
