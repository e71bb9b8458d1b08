import { getBinaryNodeChild, proto, S_WHATSAPP_NET, type BinaryNode, type WABrowserDescription, type WASocket } from '@whiskeysockets/baileys';
import type { Logger } from '../logging/logger.js';
import type { PasskeyStatus } from './connection-status.js';
import {
  buildPrologue,
  encryptPairingRequest,
  handoffKey,
  handoffProof,
  newAdvSecret,
  pairingKeyAndCode,
  parsePrimaryIdentity,
  type PrologueSecrets,
} from './passkey-crypto.js';
import { PasteError, readPastedAssertion } from './passkey-paste.js';

export interface PasskeyStepDeps {
  socket: WASocket;
  /** The socket's browser tuple: its platform type goes into the prologue and the key's salt. */
  browser: WABrowserDescription;
  logger: Logger;
  /** Persists the creds (the ADV secret changes when the request comes). */
  saveCreds(): void;
  /** Stops Baileys' QR rotation on this socket; false when its timer was not found. */
  stopQrRotation(): boolean;
  /** Every change of the step, for the connection status. */
  onChange(status: PasskeyStatus): void;
  /** The step ended without a link: the socket must go, so no device is left half-linked. */
  onFailed(): void;
}

/** A refused submit: `status` is the HTTP status the page gets, the message one line saying what to do. */
export class PasskeyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The handoff key proves the prologue comes from the device that showed the QR, for 5 minutes. */
const HANDOFF_VALID_MS = 5 * 60_000;
const DEFAULT_TIMEOUT_MS = 600_000;
const TRY_AGAIN = 'Press "Try again" on the app\'s page to link again.';

/**
 * The passkey step of linking on one unpaired socket (docs/passkey-protocol.md): notices WhatsApp's
 * request, takes the user's pasted assertion to WhatsApp, and hands over the pairing request once
 * the phone answered. Only Baileys' public API: socket listeners, `query`, the creds it holds.
 */
export class PasskeyStep {
  private current: PasskeyStatus | null = null;
  private challenge: string | null = null;
  private handoff: { key: Buffer; until: number } | null = null;
  private secrets: PrologueSecrets | null = null;
  private expiry: NodeJS.Timeout | null = null;
  /** Linked or failed: nothing more happens on this socket. */
  private done = false;

  constructor(private readonly deps: PasskeyStepDeps) {
    const { ws, ev } = deps.socket;
    ws.on('CB:notification,type:passkey_prologue_request', (node: BinaryNode) => void this.onRequest(node));
    ws.on('CB:notification,type:crsc_continuation', (node: BinaryNode) => void this.onContinuation(node));
    ev.on('connection.update', (update) => update.isNewLogin && this.finish());
  }

  get status(): PasskeyStatus | null {
    return this.current;
  }

  /** WhatsApp asked, and the step has neither linked nor failed: a close now ends it. */
  get active(): boolean {
    return this.current !== null && !this.done;
  }

  get failed(): boolean {
    return this.current?.phase === 'failed';
  }

  /** Takes the user's paste to WhatsApp; resolves once WhatsApp accepted it. */
  async submit(pasted: unknown): Promise<void> {
    const status = this.current;
    if (!status || this.done) throw new PasskeyError(409, 'WhatsApp is not asking for a passkey right now.');
    if (status.phase !== 'waiting' || !this.challenge) throw new PasskeyError(409, "The passkey result was already sent: wait for WhatsApp's answer.");
    let read: ReturnType<typeof readPastedAssertion>;
    try {
      read = readPastedAssertion(pasted, this.challenge);
    } catch (error) {
      if (!(error instanceof PasteError)) throw error;
      this.set({ error: error.message });
      throw new PasskeyError(400, error.message);
    }
    this.set({ phase: 'checking', error: null });
    try {
      const ref = await this.fetchRef();
      const { prologue, secrets } = buildPrologue(ref, platformType(this.deps.browser));
      // Kept before sending: the continuation can arrive in the same read as the answer.
      this.secrets = secrets;
      const content: BinaryNode[] = [
        { tag: 'credential_id', attrs: {}, content: read.rawId },
        { tag: 'webauthn_assertion', attrs: {}, content: Buffer.from(JSON.stringify(read.assertion)) },
        { tag: 'prologue_payload', attrs: {}, content: prologue },
      ];
      if (this.handoff && Date.now() < this.handoff.until)
        content.push({ tag: 'pairing_handoff_proof', attrs: {}, content: handoffProof(this.handoff.key, prologue) });
      await this.iq('set', { tag: 'passkey_prologue', attrs: {}, content });
      this.handoff = null;
      if (!this.done) this.deps.logger.info('WhatsApp accepted the passkey; waiting for the phone.');
    } catch (error) {
      if (this.done) throw new PasskeyError(409, this.current?.error ?? 'The passkey step already ended.');
      const reason = prologueFailure(error);
      this.fail(reason);
      throw new PasskeyError(422, reason);
    }
  }

  /** The user cancelled: the step ends quietly (the connection starts over); true if it was under way. */
  cancel(): boolean {
    if (!this.active) return false;
    this.done = true;
    this.forgetSecrets();
    return true;
  }

  /** Ends the step without a link (expired, refused, the socket closed...). */
  fail(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.forgetSecrets();
    this.set({ phase: 'failed', error: reason });
    this.deps.logger.warn(`Passkey step ended: ${reason} ${TRY_AGAIN}`);
    this.deps.onFailed();
  }

  private async onRequest(node: BinaryNode): Promise<void> {
    if (!fromServer(node) || this.current || this.done) return;
    // At once, before anything is awaited: no QR code may replace this request.
    if (!this.deps.stopQrRotation()) this.deps.logger.warn("Could not stop Baileys' QR rotation: the passkey step may end after about a minute.");
    this.set({ phase: 'waiting', requestOptions: null, expiresAt: null, confirmationCode: null, error: null });
    let options: { json: string; challenge: string; timeoutMs: number };
    try {
      options = readOptions(node) ?? readOptions(await this.iq('get', { tag: 'passkey_request_options', attrs: {} })) ?? fail('no readable request options');
    } catch (error) {
      return this.fail(`WhatsApp asked for a passkey, but its request could not be read (${(error as Error).message}).`);
    }
    if (this.done) return;
    const creds = this.deps.socket.authState.creds;
    this.handoff = { key: handoffKey(creds.advSecretKey), until: Date.now() + HANDOFF_VALID_MS };
    creds.advSecretKey = newAdvSecret();
    this.deps.saveCreds();
    this.challenge = options.challenge;
    const minutes = Math.round(options.timeoutMs / 60_000);
    this.expiry = setTimeout(() => this.fail(`The passkey request expired: WhatsApp allows ${minutes} minutes for this step.`), options.timeoutMs);
    this.set({ requestOptions: options.json, expiresAt: Date.now() + options.timeoutMs });
    this.deps.logger.info(
      `WhatsApp asks for a passkey before it links this device. Within ${minutes} minutes, open the app's page (Open Web UI) and follow its steps: run the snippet it gives on https://web.whatsapp.com on a computer, then paste the result back.`,
    );
  }

  private async onContinuation(node: BinaryNode): Promise<void> {
    if (!fromServer(node)) return;
    const secrets = this.secrets;
    if (!secrets || this.done) return void this.deps.logger.warn('Ignored a passkey continuation from WhatsApp: no passkey step is waiting for it.');
    try {
      const primary = parsePrimaryIdentity(childBytes(node, 'primary_ephemeral_identity') ?? fail('the continuation has no identity of the phone'));
      await this.iq('set', { tag: 'companion_nonce', attrs: {}, content: secrets.companionNonce });
      const { key, code } = pairingKeyAndCode(secrets, primary);
      this.secrets = null;
      this.set({ phase: 'confirming', confirmationCode: code });
      this.deps.logger.info(`Passkey verified. Check that the phone shows the code ${code}, and confirm there.`);
      const creds = this.deps.socket.authState.creds;
      const request = encryptPairingRequest(key, {
        noisePublic: creds.noiseKey.public,
        identityPublic: creds.signedIdentityKey.public,
        advSecretB64: creds.advSecretKey,
      });
      await this.iq('set', { tag: 'encrypted_pairing_request', attrs: {}, content: request });
    } catch (error) {
      this.fail(`The link could not be finished (${(error as Error).message}).`);
    }
  }

  /** pair-success was accepted: the link completes as usual. */
  private finish(): void {
    this.done = true;
    this.forgetSecrets();
  }

  private async fetchRef(): Promise<string> {
    const ref = childBytes(await this.iq('get', { tag: 'ref', attrs: {} }), 'ref');
    return ref?.length ? Buffer.from(ref).toString('utf8') : fail('WhatsApp sent no ref');
  }

  private iq(type: 'get' | 'set', child: BinaryNode): Promise<BinaryNode> {
    return this.deps.socket.query({ tag: 'iq', attrs: { to: S_WHATSAPP_NET, xmlns: 'md', type }, content: [child] });
  }

  private forgetSecrets(): void {
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = null;
    this.secrets = null;
    this.handoff = null;
  }

  private set(change: Partial<PasskeyStatus>): void {
    this.current = { ...(this.current ?? { phase: 'waiting', requestOptions: null, expiresAt: null, confirmationCode: null, error: null }), ...change };
    this.deps.onChange(this.current);
  }
}

/** The platform type Baileys registers for a browser tuple (its own mapping, not exported). */
function platformType([, browser]: WABrowserDescription): number {
  const name = browser.toUpperCase();
  if (name === 'ANDROID') return proto.DeviceProps.PlatformType.ANDROID_PHONE;
  return proto.DeviceProps.PlatformType[name as keyof typeof proto.DeviceProps.PlatformType] ?? proto.DeviceProps.PlatformType.CHROME;
}

function prologueFailure(error: unknown): string {
  const code = (error as { data?: unknown }).data;
  if (code === 401) return 'WhatsApp did not accept this passkey (401): use the passkey of this WhatsApp account, or remove and recreate it on the phone.';
  if (code === 408) return 'The passkey request expired before WhatsApp got the result (408): start over and finish within the time shown.';
  return `WhatsApp refused the passkey result (${typeof code === 'number' ? `${code}: ` : ''}${(error as Error).message}).`;
}

function readOptions(node: BinaryNode): { json: string; challenge: string; timeoutMs: number } | null {
  const bytes = childBytes(node, 'passkey_request_options');
  if (!bytes) return null;
  try {
    const json = Buffer.from(bytes).toString('utf8');
    const options = JSON.parse(json) as { challenge?: unknown; timeout?: unknown };
    if (typeof options.challenge !== 'string' || !options.challenge) return null;
    const timeoutMs = typeof options.timeout === 'number' && options.timeout > 0 ? options.timeout : DEFAULT_TIMEOUT_MS;
    return { json, challenge: options.challenge, timeoutMs };
  } catch {
    return null;
  }
}

function childBytes(node: BinaryNode, tag: string): Uint8Array | null {
  const content = getBinaryNodeChild(node, tag)?.content;
  if (content instanceof Uint8Array) return content;
  return typeof content === 'string' ? Buffer.from(content) : null;
}

const fromServer = (node: BinaryNode): boolean => node.attrs.from === 's.whatsapp.net' || node.attrs.from === S_WHATSAPP_NET;

function fail(message: string): never {
  throw new Error(message);
}
