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
let received = 0;
let expected = Infinity;

function connect() {
  const sock = makeWASocket({ auth, logger: pino({ level: 'silent' }), waWebSocketUrl: wsUrl, markOnlineOnConnect: false, shouldSyncHistoryMessage: () => false });
  sock.ev.on('messages.upsert', ({ messages }) => {
    received += messages.length;
    if (received >= expected) {
      expected = Infinity;
      process.send({ kind: 'received', at: now() });
    }
  });
  sock.ev.on('connection.update', (u) => {
    if (u.qr) process.send({ kind: 'qr', qr: u.qr });
    if (u.connection === 'open') process.send({ kind: 'open' });
    if (u.connection === 'close') connect(); // 515 after pairing: same creds, new socket
  });
}

process.on('message', (m) => {
  if (m.kind === 'expect') {
    received = 0;
    expected = m.count;
  }
});
connect();
