import { getBinaryNodeChild, getBinaryNodeChildren, isJidGroup, jidDecode, type BinaryNode, type proto } from '@whiskeysockets/baileys';
import type { Device } from './account.js';
import type { Connection } from './connection.js';
import type { Contact } from './contacts.js';
import type { Recorder } from './recorder.js';
import type { Arrival, Group, Logger } from './types.js';

/** What receiving a client's message needs. */
export interface OutgoingHost {
  readonly recorder: Recorder;
  readonly logger: Logger;
  contact(user: string): Contact | undefined;
  group(jid: string): Group | undefined;
}

/**
 * How long the recipient's phone takes to confirm delivery. Baileys keeps its event buffer open for
 * 100 ms after it upserts a message it sent; a receipt arriving meanwhile is folded into that upsert
 * (`status`, `userReceipt`) and never emitted as messages.update / message-receipt.update. Real
 * phones answer later than that, so the simulated ones wait too.
 */
export const DELIVERY_RECEIPT_DELAY_MS = 500;

const isPairwise = (type: string | undefined): type is 'pkmsg' | 'msg' => type === 'pkmsg' || type === 'msg';

/** `<to jid><enc/></to>` fan-out children, plus a bare `<enc>` (a resend addressed to one device). */
function pairwiseParts(stanza: BinaryNode): { jid: string; enc: BinaryNode }[] {
  const parts = getBinaryNodeChildren(getBinaryNodeChild(stanza, 'participants'), 'to').flatMap((to) => {
    const enc = getBinaryNodeChild(to, 'enc');
    return enc ? [{ jid: to.attrs.jid ?? '', enc }] : [];
  });
  const direct = getBinaryNodeChild(stanza, 'enc');
  if (direct && isPairwise(direct.attrs.type)) parts.push({ jid: stanza.attrs.to ?? '', enc: direct });
  return parts.filter((p) => isPairwise(p.enc.attrs.type) && p.enc.content instanceof Uint8Array);
}

/**
 * A `<message to=…>` the client sent: each simulated recipient decrypts its copy with its own Signal
 * identity, the message is recorded, and the recipient's phone sends a delivery receipt.
 */
export async function receiveOutgoing(stanza: BinaryNode, arrival: Arrival, device: Device, connection: Connection, host: OutgoingHost): Promise<void> {
  const to = stanza.attrs.to ?? '';
  const id = stanza.attrs.id ?? '';
  // Baileys turns it into status DELIVERY_ACK (1:1) or a message-receipt.update (group)
  const deliveryReceipt = (attrs: Record<string, string>) => {
    const send = () => connection.send({ tag: 'receipt', attrs: { id, t: String(Math.floor(Date.now() / 1000)), ...attrs } });
    setTimeout(send, DELIVERY_RECEIPT_DELAY_MS).unref();
  };
  const record = (recipient: Contact, message: proto.IMessage) => host.recorder.outgoingMessage({ to, id, message, recipient, stanza, arrival });
  const pairwise: { contact: Contact; message: proto.Message }[] = [];
  for (const { jid, enc } of pairwiseParts(stanza)) {
    const contact = host.contact(jidDecode(jid)?.user ?? '');
    if (!contact) continue;
    try {
      pairwise.push({ contact, message: await contact.decryptFrom(device, enc.attrs.type as 'pkmsg' | 'msg', enc.content as Uint8Array) });
    } catch (err) {
      host.logger.warn({ err, id, jid }, 'simulator: recipient could not decrypt the client message');
    }
  }
  if (!isJidGroup(to)) {
    for (const { contact, message } of pairwise) {
      record(contact, message);
      deliveryReceipt({ from: to });
    }
    return;
  }
  const group = host.group(to);
  const skmsg = getBinaryNodeChildren(stanza, 'enc').find((e) => e.attrs.type === 'skmsg');
  if (!group || !(skmsg?.content instanceof Uint8Array)) return;
  // in a LID-addressed group the client sends as its LID device JID
  const author = device.lidJid;
  for (const { contact, message } of pairwise) {
    if (message.senderKeyDistributionMessage) await contact.processSenderKey(author, message.senderKeyDistributionMessage);
  }
  let recorded = false;
  for (const member of group.participants) {
    try {
      const message = await member.decryptGroup(group.jid, author, skmsg.content);
      // every member decrypts to keep its sender key chain in step, and receipts it; the first one reports
      if (!recorded) record(member, message);
      recorded = true;
      deliveryReceipt({ from: to, participant: member.lidJid });
    } catch (err) {
      host.logger.debug({ err, id, member: member.phone }, 'simulator: member has no sender key yet');
    }
  }
}
