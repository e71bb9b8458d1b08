import { hkdf } from '@whiskeysockets/baileys';
import { sha256 } from './passkey-authenticator.js';

/** The key of `pairing_handoff_proof`, from the ADV secret the companion had when the request came (spec step 2). */
export const handoffKey = (oldAdvSecret: Uint8Array): Buffer => Buffer.from(hkdf(oldAdvSecret, 32, { info: 'shortcake-passkey-handoff-v1' }));

/** The AES-GCM key of `encrypted_pairing_request` (spec step 8). */
export const pairingKey = (shared: Uint8Array, deviceType: number, ref: string): Buffer =>
  Buffer.from(hkdf(shared, 32, { salt: Buffer.from(`Companion Pairing ${deviceType} with ref ${ref}`), info: 'Pairing Information Encryption Key' }));

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';

/** The code both screens show (spec step 8): base32 of 5 bytes, `XXXX-XXXX`. */
export function confirmationCode(primaryNonce: Uint8Array, companionNonce: Uint8Array, primaryPublic: Uint8Array): string {
  const digest = sha256(Buffer.concat([companionNonce, primaryPublic]));
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(primaryNonce[i]! ^ digest[i]!);
  let code = '';
  for (let shift = 35n; shift >= 0n; shift -= 5n) code += ALPHABET[Number((bits >> shift) & 31n)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
