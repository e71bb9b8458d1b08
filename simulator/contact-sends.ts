import { generateMessageIDV2, type proto } from '@whiskeysockets/baileys';
import type { Contact } from './contacts.js';
import type { Delivery } from './delivery.js';
import type { MediaHost } from './media-host.js';
import type { MediaPhone } from './media-phone.js';
import type { MediaSpec, SendMediaResult } from './media-types.js';
import type { BurstItem, SendOptions, SendResult } from './types.js';
import { channelPost, viewOnceStub } from './unfetchable-media.js';

/**
 * What simulated people send the client beyond one message (Delivery.send): bursts, files their phones
 * put on the media host, and the stanzas WhatsApp's server writes itself (view-once placeholder,
 * channel posts).
 */
export class ContactSends {
  constructor(
    private readonly delivery: Delivery,
    private readonly mediaPhone: MediaPhone,
    /** The HTTPS media host, when the simulator runs with media. */
    private readonly media: MediaHost | undefined,
  ) {}

  /** A file, encrypted and uploaded as WhatsApp's apps do. */
  async file(from: Contact, spec: MediaSpec, opts: SendOptions = {}): Promise<SendMediaResult> {
    const id = opts.id ?? generateMessageIDV2();
    const { message, sha256 } = this.mediaPhone.prepare(id, spec);
    return { ...(await this.delivery.send(from, message, { ...opts, id })), message, sha256 };
  }

  viewOnceStub(from: Contact): Promise<SendResult> {
    const { attrs, content } = viewOnceStub(from);
    return this.delivery.sendUnencrypted(attrs, content);
  }

  async channelFile(channel: string, spec: MediaSpec): Promise<SendResult & { message: proto.IMessage }> {
    if (!this.media) throw new Error('simulator: media needs the media host: WaSimulator.start({ media: true })');
    const { attrs, content, message } = channelPost(this.media, channel, spec);
    return { ...(await this.delivery.sendUnencrypted(attrs, content)), message };
  }

  /** `n` messages back to back without waiting for acks; resolves with their ids in order. */
  async burst(n: number, build: (i: number) => BurstItem): Promise<string[]> {
    const sends: Promise<SendResult>[] = [];
    for (let i = 0; i < n; i++) {
      const item = build(i);
      sends.push(this.delivery.send(item.from, item.message ?? { conversation: item.text ?? '' }, item.opts));
    }
    return (await Promise.all(sends)).map((r) => r.id);
  }
}
