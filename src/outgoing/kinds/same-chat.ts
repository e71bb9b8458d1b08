import { isLidUser, isPnUser, jidNormalizedUser, type WASocket } from '@whiskeysockets/baileys';

/** Whether two JIDs name one chat: the same JID, or a contact's LID and phone JID as the account's mapping knows them. */
export async function sameChat(socket: WASocket, a: string, b: string): Promise<boolean> {
  const [x, y] = [jidNormalizedUser(a), jidNormalizedUser(b)];
  if (x === y) return true;
  const lid = isLidUser(x) ? x : isLidUser(y) ? y : null;
  const phone = isPnUser(x) ? x : isPnUser(y) ? y : null;
  if (!lid || !phone) return false;
  const mapped = await socket.signalRepository.lidMapping.getPNForLID(lid).catch(() => null);
  return !!mapped && jidNormalizedUser(mapped) === phone;
}
