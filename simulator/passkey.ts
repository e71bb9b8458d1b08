import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { aesDecryptGCM, Curve, getBinaryNodeChildBuffer, hmacSign, proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { Registration } from './account.js';
import type { Connection } from './connection.js';
import { sha256, WHATSAPP_WEB_ORIGIN, type TestAuthenticator } from './passkey-authenticator.js';
import { confirmationCode, handoffKey, pairingKey } from './passkey-crypto.js';
import { verifyAssertion } from './passkey-verify.js';
import type { SimulatorEvents } from './types.js';

/** `passkey` of `pairWithQr` / `pairWithCode`: the phone asks for a passkey before it links (docs/passkey-protocol.md). */
export interface PasskeyOptions {
  /** The account's passkey; the server checks assertions with its public key only. */
  authenticator: TestAuthenticator;
  /** The request options' `timeout`: the whole step must end within it, later iqs get 408 (default 600000). */
  timeoutMs?: number;
  /** `'phone'`: the phone refuses after a correct `encrypted_pairing_request`: `<failure reason="401">`, no pair-success. */
  refuse?: 'phone';
  /** Send the notification without `<passkey_request_options>`: the client must fetch them by iq. */
  omitOptions?: boolean;
}

/** The pending (or last) passkey step, for tests (`sim.passkeyRequest`). */
export interface PasskeyRequest {
  /** The `passkey_request_options` JSON: what `authenticator.assert` takes. */
  readonly options: string;
  /** The code the phone shows (spec step 8), once the client sent its companion nonce. */
  readonly confirmationCode?: string;
}

const RP_ID = 'whatsapp.com';
const DEFAULT_TIMEOUT_MS = 600_000;
const IQ_TAGS = new Set(['ref', 'passkey_request_options', 'passkey_prologue', 'companion_nonce', 'encrypted_pairing_request']);
const ERROR_TEXT = { 400: 'bad-request', 401: 'not-authorized', 408: 'request-timeout' } as const;
type ErrorCode = keyof typeof ERROR_TEXT;
type Step = 'passkey_prologue' | 'companion_nonce' | 'encrypted_pairing_request';

/** A check that failed: the iq is answered with `code`, the ceremony ends. */
class StepError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const check = (ok: unknown, code: ErrorCode, message: string): void => {
  if (!ok) throw new StepError(code, message);
};

/** The bytes of a child (`tag`) or, without `tag`, of the node itself. */
const bytes = (node: BinaryNode, tag?: string): Buffer => {
  const value = tag ? getBinaryNodeChildBuffer(node, tag) : node.content;
  check(value instanceof Uint8Array, 400, `<${tag ?? node.tag}> has no bytes`);
  return Buffer.from(value as Uint8Array);
};

/** Decodes a protobuf child; a decoding error is the client's (400). */
function decode<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw new StepError(400, `${what} does not decode: ${(err as Error).message}`);
  }
}

/**
 * WhatsApp's server and the phone during the passkey step of one pairing: sends the request, answers
 * the client's `md` iqs in the spec's order, checks every value, and yields the companion's new ADV
 * secret (`done`) for pair-success. Any failed check answers the iq with an error and rejects `done`.
 */
export class PasskeyCeremony {
  /** Resolves with the new ADV secret of the client's pairing request. */
  readonly done: Promise<Buffer>;
  private resolveDone!: (advSecret: Buffer) => void;
  private rejectDone!: (err: Error) => void;
  private step: Step | 'ended' = 'passkey_prologue';
  /** The error code every iq gets once the ceremony failed. */
  private endCode: ErrorCode = 400;
  private readonly timer: NodeJS.Timeout;
  private readonly deadline: number;
  private readonly ref = randomBytes(16).toString('hex');
  private readonly challenge = randomBytes(32).toString('base64url');
  private readonly options: string;
  private readonly phoneEphemeral = Curve.generateKeyPair();
  private readonly primaryNonce = randomBytes(32);
  private companion: { identity: Buffer; publicKey: Buffer; deviceType: number; commitment: Buffer } | undefined;
  private key: Buffer | undefined;
  private code: string | undefined;

  private constructor(
    private readonly connection: Connection,
    private readonly registration: Registration,
    private readonly oldAdvSecret: Buffer,
    private readonly settings: PasskeyOptions,
    private readonly events: EventEmitter<SimulatorEvents>,
  ) {
    const timeout = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.deadline = Date.now() + timeout;
    this.options = JSON.stringify({
      challenge: this.challenge,
      timeout,
      rpId: RP_ID,
      allowCredentials: [],
      userVerification: 'required',
      extensions: { uvm: true },
    });
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.timer = setTimeout(() => this.fail(408, `the challenge expired (timeout ${timeout} ms) while waiting for ${this.step}`), timeout);
    connection.once('close', () => this.fail(400, `the connection closed while waiting for ${this.step}`));
  }

  /** Sends `passkey_prologue_request` on a connection whose phone accepted the pairing; `oldAdvSecret` is the one of the QR or the code exchange. */
  static start(
    connection: Connection,
    registration: Registration,
    oldAdvSecret: Buffer,
    settings: PasskeyOptions,
    events: EventEmitter<SimulatorEvents>,
  ): PasskeyCeremony {
    const ceremony = new PasskeyCeremony(connection, registration, oldAdvSecret, settings, events);
    connection.send({
      tag: 'notification',
      attrs: { from: 's.whatsapp.net', type: 'passkey_prologue_request', id: randomBytes(8).toString('hex'), t: String(Math.floor(Date.now() / 1000)) },
      ...(settings.omitOptions ? {} : { content: [ceremony.optionsNode()] }),
    });
    events.emit('passkey', ceremony.request);
    return ceremony;
  }

  /** The options sent and, once known, the phone's confirmation code. */
  get request(): PasskeyRequest {
    return { options: this.options, ...(this.code ? { confirmationCode: this.code } : {}) };
  }

  /** True for the `md` iqs of this step. */
  handles(tag: string): boolean {
    return IQ_TAGS.has(tag);
  }

  /** Answers one of the client's passkey iqs (`handles(child.tag)`). */
  onIq(iq: BinaryNode, child: BinaryNode): void {
    const answer = (content?: BinaryNode[], type = 'result') =>
      this.connection.send({ tag: 'iq', attrs: { id: iq.attrs.id ?? '', type, from: 's.whatsapp.net' }, ...(content ? { content } : {}) });
    try {
      check(this.step !== 'ended', this.endCode, 'the passkey step is over');
      if (child.tag === 'ref') return answer([{ tag: 'ref', attrs: {}, content: Buffer.from(this.ref) }]);
      if (child.tag === 'passkey_request_options') return answer([this.optionsNode()]);
      const step = child.tag as Step;
      check(step === this.step, 400, `${step} out of order: expected ${this.step}`);
      check(Date.now() < this.deadline, 408, 'the challenge expired'); // in case the timer has not fired yet
      if (step === 'passkey_prologue') {
        this.checkPrologue(child);
        answer();
        return this.sendContinuation();
      }
      if (step === 'companion_nonce') {
        this.checkNonce(child);
        return answer();
      }
      const advSecret = this.openPairingRequest(child);
      answer();
      this.end();
      if (this.settings.refuse === 'phone') {
        // what a client sees when the phone declines: the stream ends as for an unknown device
        this.connection.end({ tag: 'failure', attrs: { reason: '401', location: 'sim' } });
        return this.rejectDone(new Error('simulator: passkey step: the phone refused the linking (refuse: phone)'));
      }
      this.resolveDone(advSecret);
    } catch (err) {
      const { code, message } = err instanceof StepError ? err : new StepError(400, String(err));
      answer([{ tag: 'error', attrs: { code: String(code), text: ERROR_TEXT[code] } }], 'error');
      this.fail(code, `${child.tag}: ${message}`);
    }
  }

  /** Step 5: the assertion, the prologue payload and the optional handoff proof. */
  private checkPrologue(node: BinaryNode): void {
    const { authenticator } = this.settings;
    try {
      verifyAssertion(bytes(node, 'webauthn_assertion'), bytes(node, 'credential_id'), {
        challenge: this.challenge,
        rpId: RP_ID,
        origin: WHATSAPP_WEB_ORIGIN,
        credentialId: authenticator.credentialId,
        userHandle: authenticator.userHandle,
        publicKey: authenticator.publicKey,
      });
    } catch (err) {
      throw err instanceof StepError ? err : new StepError(401, `the assertion does not verify: ${(err as Error).message}`);
    }
    const prologue = bytes(node, 'prologue_payload');
    const payload = decode('prologue_payload', () => proto.ProloguePayload.decode(prologue));
    const identity = Buffer.from(payload.companionEphemeralIdentity ?? []);
    const { publicKey, deviceType, ref } = decode('companionEphemeralIdentity', () => proto.CompanionEphemeralIdentity.decode(identity));
    check(publicKey?.length === 32, 400, 'companionEphemeralIdentity.publicKey is not 32 bytes');
    check(ref === this.ref, 400, `companionEphemeralIdentity.ref is ${ref}, not the <ref> the server gave`);
    const registered = this.registration.platformType;
    check(
      registered === undefined || deviceType === registered,
      400,
      `deviceType ${deviceType} is not the platform the client registered with (${registered})`,
    );
    const commitment = Buffer.from(payload.commitment?.hash ?? []);
    check(commitment.length === 32, 400, 'commitment.hash is not 32 bytes');
    const proof = getBinaryNodeChildBuffer(node, 'pairing_handoff_proof');
    if (proof) {
      const expected = hmacSign(prologue, handoffKey(this.oldAdvSecret));
      check(expected.equals(Buffer.from(proof)), 401, 'pairing_handoff_proof is not HMAC(handoff key of the old ADV secret, prologue_payload)');
    }
    this.companion = { identity, publicKey: Buffer.from(publicKey!), deviceType: deviceType ?? 0, commitment };
    this.step = 'companion_nonce';
  }

  /** Step 6: the phone's ephemeral identity. */
  private sendContinuation(): void {
    this.connection.send({
      tag: 'notification',
      attrs: { from: 's.whatsapp.net', type: 'crsc_continuation', id: randomBytes(8).toString('hex'), t: String(Math.floor(Date.now() / 1000)) },
      content: [
        {
          tag: 'primary_ephemeral_identity',
          attrs: {},
          content: proto.PrimaryEphemeralIdentity.encode({ publicKey: this.phoneEphemeral.public, nonce: this.primaryNonce }).finish(),
        },
      ],
    });
  }

  /** Steps 7 and 8: the nonce must open the commitment; then both sides know the key and the code. */
  private checkNonce(node: BinaryNode): void {
    const nonce = bytes(node);
    const companion = this.companion!;
    check(nonce.length === 32, 400, 'companion_nonce is not 32 bytes');
    check(
      sha256(Buffer.concat([companion.identity, nonce])).equals(companion.commitment),
      401,
      'sha256(identity || companion_nonce) is not the commitment of the prologue',
    );
    this.key = pairingKey(Curve.sharedKey(this.phoneEphemeral.private, companion.publicKey), companion.deviceType, this.ref);
    this.code = confirmationCode(this.primaryNonce, nonce, this.phoneEphemeral.public);
    this.events.emit('passkey', this.request);
    this.step = 'encrypted_pairing_request';
  }

  /** Steps 9 and 10: the pairing request must be this device's, with a new ADV secret. */
  private openPairingRequest(node: BinaryNode): Buffer {
    const raw = bytes(node);
    const { encryptedPayload, iv } = decode('EncryptedPairingRequest', () => proto.EncryptedPairingRequest.decode(raw));
    check(encryptedPayload?.length && iv?.length === 12, 400, 'EncryptedPairingRequest needs encryptedPayload and a 12-byte IV');
    let plain: Buffer;
    try {
      plain = aesDecryptGCM(Buffer.from(encryptedPayload!), this.key!, Buffer.from(iv!), Buffer.alloc(0));
    } catch {
      throw new StepError(400, 'the pairing request does not decrypt with the key of step 8');
    }
    const request = decode('PairingRequest', () => proto.PairingRequest.decode(plain));
    const { noiseKey, identityKey } = this.registration;
    check(noiseKey.equals(Buffer.from(request.companionPublicKey ?? [])), 400, 'companionPublicKey is not the Noise key the client connected with');
    check(
      Buffer.from(identityKey).equals(Buffer.from(request.companionIdentityKey ?? [])),
      400,
      'companionIdentityKey is not the identity key the client registered',
    );
    const advSecret = Buffer.from(request.advSecret ?? []);
    check(advSecret.length === 32, 400, 'advSecret is not 32 bytes');
    check(!advSecret.equals(this.oldAdvSecret), 400, 'advSecret is the old ADV secret, not a new one');
    return advSecret;
  }

  private optionsNode(): BinaryNode {
    return { tag: 'passkey_request_options', attrs: {}, content: Buffer.from(this.options) };
  }

  private end(): void {
    this.step = 'ended';
    clearTimeout(this.timer);
  }

  private fail(code: ErrorCode, why: string): void {
    if (this.step === 'ended') return;
    this.end();
    this.endCode = code;
    this.rejectDone(new Error(`simulator: passkey step failed at ${why}`));
  }
}
