import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { aesEncryptGCM, Curve, proto, type KeyPair } from '@whiskeysockets/baileys';

// The companion's arithmetic of the passkey step (docs/passkey-protocol.md, steps 2, 5, 8, 9).

const HANDOFF_INFO = 'shortcake-passkey-handoff-v1';
const PAIRING_KEY_INFO = 'Pairing Information Encryption Key';
/** WhatsApp's linking alphabet: base32 without 0, I, O and U. */
const CODE_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';

const sha256 = (...parts: Uint8Array[]): Buffer => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest();
const hkdf = (ikm: Uint8Array, salt: string, info: string): Buffer => Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));

/** The key that proves the prologue comes from the device that held the old ADV secret (valid 5 minutes). */
export function handoffKey(oldAdvSecretB64: string): Buffer {
  return hkdf(Buffer.from(oldAdvSecretB64, 'base64'), '', HANDOFF_INFO);
}

/** A new ADV secret, as Baileys keeps it in the creds (base64 of 32 random bytes). */
export const newAdvSecret = (): string => randomBytes(32).toString('base64');

/** What the companion keeps between the prologue and the continuation. */
export interface PrologueSecrets {
  ephemeral: KeyPair;
  companionNonce: Buffer;
  ref: string;
  deviceType: number;
}

/** The ProloguePayload: the ephemeral identity and a commitment to the nonce sent later. */
export function buildPrologue(ref: string, deviceType: number): { prologue: Buffer; secrets: PrologueSecrets } {
  const ephemeral = Curve.generateKeyPair();
  const companionNonce = randomBytes(32);
  const identity = proto.CompanionEphemeralIdentity.encode({ publicKey: ephemeral.public, deviceType, ref }).finish();
  const prologue = proto.ProloguePayload.encode({ companionEphemeralIdentity: identity, commitment: { hash: sha256(identity, companionNonce) } }).finish();
  return { prologue: Buffer.from(prologue), secrets: { ephemeral, companionNonce, ref, deviceType } };
}

export const handoffProof = (key: Uint8Array, prologue: Uint8Array): Buffer => createHmac('sha256', key).update(prologue).digest();

/** The phone's ephemeral identity from the continuation; throws when it is not two 32-byte fields. */
export function parsePrimaryIdentity(bytes: Uint8Array): { publicKey: Buffer; nonce: Buffer } {
  const { publicKey, nonce } = proto.PrimaryEphemeralIdentity.decode(bytes);
  if (publicKey?.length !== 32 || nonce?.length !== 32) throw new Error('the phone sent a malformed ephemeral identity');
  return { publicKey: Buffer.from(publicKey), nonce: Buffer.from(nonce) };
}

/** The AES key of the pairing request, and the code the phone shows too ("XXXX-XXXX"). */
export function pairingKeyAndCode(secrets: PrologueSecrets, primary: { publicKey: Buffer; nonce: Buffer }): { key: Buffer; code: string } {
  const shared = Curve.sharedKey(secrets.ephemeral.private, primary.publicKey);
  const key = hkdf(shared, `Companion Pairing ${secrets.deviceType} with ref ${secrets.ref}`, PAIRING_KEY_INFO);
  const digest = sha256(secrets.companionNonce, primary.publicKey);
  const code = base32(Buffer.from([0, 1, 2, 3, 4].map((i) => primary.nonce[i]! ^ digest[i]!)));
  return { key, code: `${code.slice(0, 4)}-${code.slice(4)}` };
}

/** The EncryptedPairingRequest carrying this device's keys and its new ADV secret. */
export function encryptPairingRequest(key: Buffer, request: { noisePublic: Uint8Array; identityPublic: Uint8Array; advSecretB64: string }): Buffer {
  const plain = proto.PairingRequest.encode({
    companionPublicKey: request.noisePublic,
    companionIdentityKey: request.identityPublic,
    advSecret: Buffer.from(request.advSecretB64, 'base64'),
  }).finish();
  const iv = randomBytes(12);
  const encryptedPayload = aesEncryptGCM(plain, key, iv, Buffer.alloc(0));
  return Buffer.from(proto.EncryptedPairingRequest.encode({ encryptedPayload, iv }).finish());
}

/** 5 bytes -> 8 characters, most significant bits first. */
function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CODE_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}
