import type { WAMessage } from '@whiskeysockets/baileys';

/** Recently received messages by id, so a reply can quote the original (bounded, oldest dropped first). */
export class RecentMessages {
  private readonly byId = new Map<string, WAMessage>();

  constructor(private readonly capacity = 1000) {}

  remember(messages: readonly WAMessage[]): void {
    for (const msg of messages) {
      const id = msg.key?.id;
      if (!id || !msg.message) continue;
      this.byId.delete(id);
      this.byId.set(id, msg);
      if (this.byId.size > this.capacity) this.byId.delete(this.byId.keys().next().value!);
    }
  }

  find(id: string): WAMessage | undefined {
    return this.byId.get(id);
  }
}
