import { EventEmitter } from 'node:events';
import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { waitForEvent } from '../waits.js';
import type { StatusReport } from '../../src/web/status-report.js';

/**
 * Follows the bridge's live status (GET api/events, Server-Sent Events) like the page does, so
 * tests wait for states instead of sleeping.
 */
export class StatusStream {
  latest: StatusReport | null = null;
  private request: ClientRequest | null = null;
  private readonly updates = new EventEmitter();

  /**
   * Not through fetch: once its stream is aborted, fetch's pool opens a spare connection that
   * sends no request, and the bridge's server then waits out its whole close grace (2 s) for it.
   */
  static async open(baseUrl: string): Promise<StatusStream> {
    const stream = new StatusStream();
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      stream.request = get(new URL('api/events', baseUrl), { agent: false }, resolve).on('error', reject);
    });
    if (response.statusCode !== 200) {
      stream.close();
      throw new Error(`api/events answered ${response.statusCode}`);
    }
    void stream.read(response);
    return stream;
  }

  /** Resolves with the first status (current or future) that passes `check`. */
  waitFor(check: (s: StatusReport) => boolean, timeoutMs = 9000, what = 'status'): Promise<StatusReport> {
    const matching = () => (this.latest && check(this.latest) ? this.latest : undefined);
    return waitForEvent(this.updates, ['status'], matching, timeoutMs, `${what} (state was ${this.latest?.state})`);
  }

  waitForState(state: StatusReport['state'], timeoutMs?: number): Promise<StatusReport> {
    return this.waitFor((s) => s.state === state, timeoutMs, `state ${state}`);
  }

  /** Waits for a QR different from `previous` (WhatsApp rotates them; a new pairing makes a new one). */
  async nextQr(previous: string | null = null, timeoutMs?: number): Promise<string> {
    const s = await this.waitFor((st) => st.state === 'qr' && st.qr !== null && st.qr !== previous, timeoutMs, 'a QR code');
    return s.qr!;
  }

  close(): void {
    this.request?.destroy();
  }

  private async read(body: IncomingMessage): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (block.includes('event: status') && data) this.deliver(JSON.parse(data) as StatusReport);
        }
      }
    } catch {
      /* aborted by close(), or the bridge went away */
    }
  }

  private deliver(status: StatusReport): void {
    this.latest = status;
    this.updates.emit('status');
  }
}
