import type { NotifyTarget } from '../config/mqtt-options.js';
import type { Logger } from '../logging/logger.js';
import { TOPICS } from './discovery.js';

export interface MqttCommandsDeps {
  notifyTargets: readonly NotifyTarget[];
  /** What POST /api/send does: the same checks and the same paced queue. */
  send(request: { to: NotifyTarget['to']; text: string }): Promise<{ id: string }>;
  /** The "Send test delivery" button: one sample message to each destination, outside the queue. */
  testDelivery(): Promise<string>;
  logger: Logger;
}

/**
 * What Home Assistant asks of the app over MQTT: `notify.send_message` on a `notify.whatsapp_*`
 * entity (the message text is the payload; the MQTT notify entity drops the title) and the test
 * button. Retained commands are ignored: a command left on the broker must not be carried out
 * again at every reconnect.
 */
export class MqttCommands {
  private readonly bySlug: Map<string, NotifyTarget>;

  constructor(private readonly deps: MqttCommandsDeps) {
    this.bySlug = new Map(deps.notifyTargets.map((t) => [t.slug, t]));
  }

  /** Handles the message if it is a command; false when the topic is not one. */
  handle(topic: string, payload: Buffer, retained: boolean): boolean {
    if (topic === TOPICS.testDelivery) {
      if (!retained) void this.test();
      return true;
    }
    const slug = topic.startsWith('whatsapp_bridge/notify/') ? topic.slice('whatsapp_bridge/notify/'.length) : null;
    if (slug === null) return false;
    if (!retained) void this.notify(slug, payload.toString('utf8'));
    return true;
  }

  private async notify(slug: string, text: string): Promise<void> {
    const target = this.bySlug.get(slug);
    const { logger } = this.deps;
    if (!target) return logger.warn(`notify.whatsapp_${slug.slice(0, 40)}: no such entry in 'notify_targets'; nothing sent.`);
    if (text.trim() === '') return logger.warn(`notify.whatsapp_${slug}: the message is empty; nothing sent.`);
    try {
      const { id } = await this.deps.send({ to: target.to, text });
      logger.info(`notify.whatsapp_${slug}: sent as message ${id}.`);
    } catch (error) {
      logger.warn(`notify.whatsapp_${slug}: not sent: ${(error as Error).message}`);
    }
  }

  private async test(): Promise<void> {
    try {
      this.deps.logger.info(`Test delivery (button in Home Assistant): ${await this.deps.testDelivery()}`);
    } catch (error) {
      this.deps.logger.warn(`Test delivery (button in Home Assistant) failed: ${(error as Error).message}`);
    }
  }
}
