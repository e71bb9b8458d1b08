import type { proto } from '@whiskeysockets/baileys';
import type { Device } from './account.js';
import type { Contact } from './contacts.js';
import type { Group, SendOptions } from './types.js';

/**
 * How many sent messages the phones remember for retries; a retry receipt for an older one is
 * refused. Enough for a decryption storm of 5,000 (test/e2e/decryption-storm.test.ts) to be answered in full.
 */
const REMEMBERED = 10_000;

/** A message as a simulated phone sent it to one device: what a retry receipt asks for again. */
export interface SentCopy {
  readonly from: Contact;
  readonly message: proto.IMessage;
  readonly group: Group | undefined;
  /** The `<message>` attributes of the first copy (from, participant, id, t, type, notify…): a resend repeats them. */
  readonly attrs: Readonly<Record<string, string>>;
  readonly undecryptable: SendOptions['undecryptable'];
  /** How often the phone has sent it again. */
  resends: number;
}

/** The messages the simulated phones sent, per device, kept (the latest ones) to answer retry receipts. */
export class SentCopies {
  private readonly copies = new Map<string, SentCopy>();

  remember(device: Device, copy: SentCopy): void {
    const key = `${device.id}|${copy.attrs.id}`;
    this.copies.delete(key); // a message sent again with the same id becomes the newest
    this.copies.set(key, copy);
    if (this.copies.size > REMEMBERED) this.copies.delete(this.copies.keys().next().value!);
  }

  find(device: Device, id: string): SentCopy | undefined {
    return this.copies.get(`${device.id}|${id}`);
  }
}
