import { jidDecode, jidNormalizedUser, type Contact } from '@whiskeysockets/baileys';
import type { Logger } from '../logging/logger.js';
import type { Account } from './connection-status.js';

/** The linked account as the status reports it, from Baileys' `creds.me`; null while not linked. */
export function accountOf(me: Contact | undefined): Account | null {
  if (!me?.id) return null;
  const jid = jidNormalizedUser(me.id);
  return { jid, phone: jidDecode(jid)?.user ?? '', lid: me.lid ? jidNormalizedUser(me.lid) : null, name: me.name ?? null };
}

/** The QR code drawn into the log; the drawing library is loaded while pairing only, not at rest (docs/performance.md, "Idle memory"). */
export function logQrDrawing(qr: string, logger: Logger): void {
  void import('qrcode-terminal').then(({ default: qrcodeTerminal }) =>
    qrcodeTerminal.generate(qr, { small: true }, (drawing) => {
      logger.info(
        { drawing },
        "Not linked yet. Scan this QR code with WhatsApp on your phone (Settings > Linked devices > Link a device), or open the app's Web UI:",
      );
    }),
  );
}
