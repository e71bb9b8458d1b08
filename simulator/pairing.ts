import type { EventEmitter } from 'node:events';
import type { Account, Device } from './account.js';
import { LinkCodePairing, parseQr } from './phone.js';
import type { PasskeyOptions } from './passkey.js';
import type { ClientSession } from './session.js';
import type { SimulatorEvents } from './types.js';
import { waitForEvent, withTimeout } from './waits.js';

/** What the phone needs to pair a connecting client. */
export interface PairingHost {
  readonly account: Account;
  readonly events: EventEmitter<SimulatorEvents>;
  sessions(): Iterable<ClientSession>;
}

/** Options of `sim.pairWithQr` and `sim.pairWithCode`. */
export interface PairOptions {
  /** WhatsApp asks for a passkey before pair-success (docs/passkey-protocol.md). */
  passkey?: PasskeyOptions;
  /** `pairWithCode` only: how long to wait for the client's code request and `companion_finish` (default 10 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** pair-success, after the passkey step when asked for: keyed with the ADV secret the client holds by then. */
async function finishPairing(session: ClientSession, advSecret: Buffer, passkey: PasskeyOptions | undefined): Promise<Device> {
  return session.completePairing(passkey ? await session.verifyPasskey(advSecret, passkey) : advSecret);
}

/** The phone scans `qr`: finds the connection that shows it and sends pair-success. */
export async function pairWithQr(host: PairingHost, qr: string, options: PairOptions = {}): Promise<Device> {
  const code = parseQr(qr);
  const session = [...host.sessions()].find((s) => s.qrRefs.includes(code.ref) && s.connection.isOpen);
  const registration = session?.registration;
  if (!session || !registration) {
    throw new Error('simulator: no connected client is showing this QR (expired, or already paired)');
  }
  if (!code.noiseKey.equals(registration.noiseKey) || !code.identityKey.equals(Buffer.from(registration.identityKey))) {
    throw new Error('simulator: the QR keys do not match the keys the client registered with');
  }
  host.events.emit('qr-scanned', { ref: code.ref });
  return finishPairing(session, code.advSecret, options.passkey);
}

/**
 * The user types `code` on the phone: waits for the client's pairing-code request for this account's
 * number, runs the link-code exchange and sends pair-success. Rejects if the code is wrong.
 */
export async function pairWithCode(host: PairingHost, code: string, options: PairOptions = {}): Promise<Device> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const phone = host.account.phone;
  const session = await waitForEvent(
    host.events,
    ['pairing-code-requested'],
    () => [...host.sessions()].find((s) => s.registration && s.linkCodeHello?.phone === phone && s.connection.isOpen),
    timeoutMs,
    `sock.requestPairingCode('${phone}') on a connected client`,
  );
  const hello = session.linkCodeHello!;
  // codes are shown as ABCD-EFGH; the phone uppercases what the user types
  const pairing = await LinkCodePairing.begin(code.replace(/[\s-]/g, '').toUpperCase(), hello, host.account);
  const finished = session.companionFinish();
  session.connection.send({
    ...pairing.notification,
    attrs: { ...pairing.notification.attrs, from: 's.whatsapp.net', id: hello.ref },
  });
  const { advSecret, companionIdentity } = pairing.finish(await withTimeout(finished, timeoutMs, 'companion_finish'));
  if (!companionIdentity.equals(Buffer.from(session.registration!.identityKey))) {
    throw new Error('simulator: the code pairing names another device identity');
  }
  return finishPairing(session, advSecret, options.passkey);
}
