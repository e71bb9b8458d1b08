import { verify, type KeyObject } from 'node:crypto';
import { FLAG_UP, FLAG_UV, sha256 } from './passkey-authenticator.js';

/** What WhatsApp's server knows when it checks an assertion: the challenge it issued and the account's registered passkey. */
export interface ExpectedAssertion {
  readonly challenge: string;
  readonly rpId: string;
  readonly origin: string;
  readonly credentialId: Buffer;
  readonly userHandle: Buffer;
  readonly publicKey: KeyObject;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Unpadded base64url, strictly (Node's decoder skips characters it does not know). */
function b64url(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !B64URL.test(value)) throw new Error(`${what} is not unpadded base64url`);
  return Buffer.from(value, 'base64url');
}

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (value && typeof value === 'object') return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`${what} is not a JSON object`);
}

/**
 * Checks a `passkey_prologue`'s `webauthn_assertion` (the JSON of `PublicKeyCredential.toJSON()`) and
 * `credential_id` the way a WebAuthn relying party does; throws with the reason when it does not verify.
 */
export function verifyAssertion(assertionJson: Uint8Array, credentialId: Uint8Array, expected: ExpectedAssertion): void {
  const assertion = parseJson(assertionJson, 'webauthn_assertion');
  if (assertion.type !== 'public-key') throw new Error('webauthn_assertion.type is not "public-key"');
  const rawId = b64url(assertion.rawId, 'webauthn_assertion.rawId');
  if (assertion.id !== assertion.rawId) throw new Error('webauthn_assertion.id differs from rawId');
  if (!rawId.equals(credentialId)) throw new Error('credential_id differs from webauthn_assertion.rawId');
  if (!rawId.equals(expected.credentialId)) throw new Error('unknown credential (not the account passkey)');

  const response = (assertion.response ?? {}) as Record<string, unknown>;
  const clientDataJSON = b64url(response.clientDataJSON, 'response.clientDataJSON');
  const authenticatorData = b64url(response.authenticatorData, 'response.authenticatorData');
  const signature = b64url(response.signature, 'response.signature');
  if (response.userHandle != null && !b64url(response.userHandle, 'response.userHandle').equals(expected.userHandle)) {
    throw new Error("response.userHandle is not the account's user");
  }

  const clientData = parseJson(clientDataJSON, 'clientDataJSON');
  if (clientData.type !== 'webauthn.get') throw new Error('clientDataJSON.type is not "webauthn.get"');
  if (clientData.challenge !== expected.challenge) throw new Error('clientDataJSON.challenge is not the challenge issued');
  if (clientData.origin !== expected.origin) throw new Error(`clientDataJSON.origin is ${String(clientData.origin)}, not ${expected.origin}`);
  if (clientData.crossOrigin === true) throw new Error('clientDataJSON.crossOrigin is true');

  if (authenticatorData.length < 37) throw new Error('authenticatorData is shorter than 37 bytes');
  if (!authenticatorData.subarray(0, 32).equals(sha256(expected.rpId))) throw new Error(`authenticatorData.rpIdHash is not sha256("${expected.rpId}")`);
  const flags = authenticatorData[32]!;
  if (!(flags & FLAG_UP) || !(flags & FLAG_UV)) throw new Error('authenticatorData flags lack UP or UV');

  let valid = false;
  try {
    valid = verify('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), expected.publicKey, signature);
  } catch {
    // not DER: invalid all the same
  }
  if (!valid) throw new Error('the signature does not verify with the passkey public key');
}
