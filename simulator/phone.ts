import { randomBytes, randomInt } from 'node:crypto';
import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  Curve,
  derivePairingCodeKey,
  getBinaryNodeChild,
  getBinaryNodeChildBuffer,
  hkdf,
  hmacSign,
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX,
  type BinaryNode,
  type KeyPair,
} from '@whiskeysockets/baileys';
import type { Account, Device } from './account.js';

/** The fields of a pairing QR (`ref,noiseKeyB64,identityKeyB64,advSecretB64,platform`) the phone uses. */
export interface QrCode {
  readonly ref: string;
  readonly noiseKey: Buffer;
  readonly identityKey: Buffer;
  readonly advSecret: Buffer;
}

/** Parses the string Baileys emits as `connection.update.qr` (with or without the URL before `#`). */
export function parseQr(qr: string): QrCode {
  const fields = qr
    .slice(qr.indexOf('#') + 1)
    .trim()
    .split(',');
  if (fields.length < 4 || fields.slice(0, 4).some((f) => !f)) throw new Error(`not a WhatsApp pairing QR: ${qr}`);
  const [ref, noise, identity, adv] = fields as [string, string, string, string];
  return {
    ref,
    noiseKey: Buffer.from(noise, 'base64'),
    identityKey: Buffer.from(identity, 'base64'),
    advSecret: Buffer.from(adv, 'base64'),
  };
}

/**
 * The phone's `pair-success` iq: the device identity signed with the account (phone) identity key
 * and authenticated with the companion's adv secret, exactly what `configureSuccessfulPairing` checks.
 */
export function pairSuccessNode(account: Account, device: Device, advSecret: Uint8Array): BinaryNode {
  const details = proto.ADVDeviceIdentity.encode({
    rawId: randomInt(2 ** 31),
    timestamp: Math.floor(Date.now() / 1000),
    keyIndex: device.id,
    accountType: proto.ADVEncryptionType.E2EE,
    deviceType: proto.ADVEncryptionType.E2EE,
  }).finish();
  const accountSignature = Curve.sign(account.identity.private, Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, device.identityKey]));
  const signed = proto.ADVSignedDeviceIdentity.encode({
    details,
    accountSignatureKey: account.identity.public,
    accountSignature,
  }).finish();
  const container = proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac: hmacSign(signed, advSecret) }).finish();
  return {
    tag: 'iq',
    attrs: { type: 'set', t: String(Math.floor(Date.now() / 1000)) },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: {}, content: container },
          { tag: 'platform', attrs: { name: 'android' } },
          { tag: 'device', attrs: { jid: device.jid, lid: device.lidJid } },
          // a Business account's verified name: Baileys stores it as creds.me.name (Baileys #2553)
          ...(account.businessName ? [{ tag: 'biz', attrs: { name: account.businessName } }] : []),
        ],
      },
    ],
  };
}

/** The client's `companion_hello`, sent after `sock.requestPairingCode(phone)`. */
export interface LinkCodeHello {
  /** The ref the server handed out for this request. */
  readonly ref: string;
  /** The phone number the client asked to pair with, digits only. */
  readonly phone: string;
  /** salt(32) || iv(16) || AES-CTR(companion ephemeral public) under PBKDF2(code, salt). */
  readonly wrappedEphemeral: Buffer;
}

/** Wraps a public key the way both sides of the code flow do: salt || iv || AES-CTR(key, PBKDF2(code, salt)). */
async function wrapWithCode(code: string, publicKey: Uint8Array): Promise<Buffer> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const key = await derivePairingCodeKey(code, salt);
  return Buffer.concat([salt, iv, aesEncryptCTR(publicKey, key, iv)]);
}

/**
 * The phone's side of pairing with an 8-character code (rc14's `requestPairingCode` and the
 * `link_code_companion_reg` notification handler, mirrored). `begin` needs the code the user typed;
 * `finish` takes the client's `companion_finish` iq and yields the adv secret for pair-success.
 */
export class LinkCodePairing {
  private constructor(
    /** The `link_code_companion_reg` notification to send to the client. */
    readonly notification: BinaryNode,
    private readonly account: Account,
    private readonly ephemeral: KeyPair,
    private readonly companionEphemeral: Buffer,
  ) {}

  static async begin(code: string, hello: LinkCodeHello, account: Account): Promise<LinkCodePairing> {
    const wrapped = hello.wrappedEphemeral;
    const key = await derivePairingCodeKey(code, wrapped.subarray(0, 32));
    const companionEphemeral = aesDecryptCTR(wrapped.subarray(48, 80), key, wrapped.subarray(32, 48));
    const ephemeral = Curve.generateKeyPair();
    const notification: BinaryNode = {
      tag: 'notification',
      attrs: { type: 'link_code_companion_reg', t: String(Math.floor(Date.now() / 1000)) },
      content: [
        {
          tag: 'link_code_companion_reg',
          attrs: {},
          content: [
            { tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(hello.ref) },
            { tag: 'primary_identity_pub', attrs: {}, content: account.identity.public },
            {
              tag: 'link_code_pairing_wrapped_primary_ephemeral_pub',
              attrs: {},
              content: await wrapWithCode(code, ephemeral.public),
            },
          ],
        },
      ],
    };
    return new LinkCodePairing(notification, account, ephemeral, companionEphemeral);
  }

  /** Opens the client's key bundle; throws when the code was wrong (the GCM tag does not match). */
  finish(companionFinish: BinaryNode): { advSecret: Buffer; companionIdentity: Buffer } {
    const reg = getBinaryNodeChild(companionFinish, 'link_code_companion_reg');
    const bundle = getBinaryNodeChildBuffer(reg, 'link_code_pairing_wrapped_key_bundle');
    if (!bundle) throw new Error('companion_finish without a key bundle');
    const wrapped = Buffer.from(bundle);
    const companionShared = Curve.sharedKey(this.ephemeral.private, this.companionEphemeral);
    const key = hkdf(companionShared, 32, {
      salt: wrapped.subarray(0, 32),
      info: 'link_code_pairing_key_bundle_encryption_key',
    });
    let plain: Buffer;
    try {
      plain = aesDecryptGCM(wrapped.subarray(44), key, wrapped.subarray(32, 44), Buffer.alloc(0));
    } catch {
      throw new Error('pairing code rejected: the client used a different code');
    }
    const companionIdentity = plain.subarray(0, 32);
    if (!plain.subarray(32, 64).equals(Buffer.from(this.account.identity.public))) {
      throw new Error('pairing code rejected: key bundle names another primary identity');
    }
    const identityShared = Curve.sharedKey(this.account.identity.private, companionIdentity);
    const advSecret = Buffer.from(hkdf(Buffer.concat([companionShared, identityShared, plain.subarray(64, 96)]), 32, { info: 'adv_secret' }));
    return { advSecret, companionIdentity };
  }
}
