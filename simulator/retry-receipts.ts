import { extractE2ESessionFromRetryReceipt, getBinaryNodeChild, type BinaryNode } from '@whiskeysockets/baileys';
import type { Device } from './account.js';
import type { Delivery } from './delivery.js';
import type { Recorder } from './recorder.js';

/**
 * How often a phone sends one message again: whatsmeow, which follows WhatsApp's apps, refuses a
 * retry receipt whose count is 5 or more, and Baileys gives up after its 5th (maxMsgRetryCount).
 */
const MAX_RESENDS = 4;

/** What answering a retry receipt needs. */
export interface RetryHost {
  readonly delivery: Delivery;
  readonly recorder: Recorder;
}

/**
 * The sender's phone answering a `<receipt type="retry">` (the device could not decrypt a message):
 * it drops its session with the device, starts a new one from the `<keys>` the receipt carries
 * (Baileys sends them from its second retry on) or else from a prekey bundle the server hands out,
 * and sends the message again as a pkmsg, at most MAX_RESENDS times.
 */
export async function answerRetryReceipt(receipt: BinaryNode, device: Device, host: RetryHost): Promise<void> {
  const id = receipt.attrs.id ?? '';
  const answer = { id, deviceJid: device.jid, count: Number(getBinaryNodeChild(receipt, 'retry')?.attrs.count ?? 1) };
  const copy = host.delivery.sentCopy(device, id);
  // the receipt goes where the message came from: the sender, or the group with the sender as participant
  if (!copy || copy.attrs.from !== receipt.attrs.to || copy.attrs.participant !== receipt.attrs.participant) {
    return host.recorder.retry({ ...answer, refused: 'unknown-message' });
  }
  if (copy.resends >= MAX_RESENDS) return host.recorder.retry({ ...answer, refused: 'too-many-retries' });
  copy.resends++;
  const fromReceipt = extractE2ESessionFromRetryReceipt(receipt);
  await host.delivery.resend(device, copy, answer.count, fromReceipt ?? device.takeBundle());
  host.recorder.retry({ ...answer, keys: fromReceipt ? 'receipt' : 'server' });
}
