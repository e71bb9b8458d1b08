import { AsyncLocalStorage, createHook, type AsyncHook } from 'node:async_hooks';

/**
 * Finds and stops the QR timer of one Baileys socket.
 *
 * Baileys 7.0.0-rc14 rotates QR codes with a closure, `genPairQR` in lib/Socket/socket.js, that
 * reschedules itself with `setTimeout` and ends the socket (408 "QR refs attempts ended") after
 * the last ref. The passkey step needs the socket for up to 10 minutes, long after that, and
 * Baileys offers no way to stop the timer. Rather than patch Baileys (the rule is: no new patch),
 * the socket is created inside an AsyncLocalStorage context of its own, so everything its
 * WebSocket triggers runs in that context, and an async hook, enabled only while this socket is
 * unpaired, remembers the latest `Timeout` created in that context whose callback is named
 * `genPairQR`. `stop()` clears it. The context tells this socket's timers from any other socket's
 * in the same process. Should a Baileys upgrade rename the closure, `stop()` reports false (the
 * step logs it) and test/e2e/passkey.test.ts fails.
 */
export class BaileysQrTimer {
  private readonly context = new AsyncLocalStorage<true>();
  private latest: NodeJS.Timeout | null = null;
  private readonly hook: AsyncHook;

  constructor() {
    this.hook = createHook({
      init: (_id, type, _trigger, resource) => {
        if (type !== 'Timeout' || !this.context.getStore()) return;
        const callback = (resource as { _onTimeout?: unknown })._onTimeout;
        if (typeof callback === 'function' && callback.name === 'genPairQR') this.latest = resource as NodeJS.Timeout;
      },
    });
  }

  /** Runs `make` (which creates the socket) in this timer's context and starts watching. */
  watch<T>(make: () => T): T {
    this.hook.enable();
    return this.context.run(true, make);
  }

  /** Clears the pending QR rotation; false when none was found. Watching ends either way. */
  stop(): boolean {
    this.release();
    const timer = this.latest;
    this.latest = null;
    if (!timer) return false;
    clearTimeout(timer);
    return true;
  }

  /** Stops watching (the socket paired or closed). */
  release(): void {
    this.hook.disable();
  }
}
