/**
 * The bridge's WhatsApp connection, as the daemon wires it (SQLite auth state in $DATA_DIR,
 * $WA_WEBSOCKET_URL), except that the process kills itself (SIGKILL) the moment Baileys hands it
 * the first message, before anything is stored: the worst moment for a crash.
 */
import { pino } from 'pino';
import { Bus } from '../../src/bus.js';
import { openDatabase } from '../../src/state/database.js';
import { useSqliteAuthState } from '../../src/state/auth-state.js';
import { WhatsAppConnection } from '../../src/whatsapp/connection.js';

const logger = pino({ level: 'silent' });
const connection = new WhatsAppConnection({
  auth: useSqliteAuthState(openDatabase(process.env.DATA_DIR!)),
  bus: new Bus(),
  logger,
  baileysLogger: logger,
  waWebSocketUrl: process.env.WA_WEBSOCKET_URL!,
});
connection.inbound.on('messages', () => process.kill(process.pid, 'SIGKILL'));
connection.start();
