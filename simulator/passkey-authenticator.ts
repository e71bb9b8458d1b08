import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/** The origin WhatsApp's passkey ceremony runs on (the browser tab the user opens). */
export const WHATSAPP_WEB_ORIGIN = 'https://web.whatsapp.com';

/** Authenticator data flags: user present, user verified (WebAuthn §6.1). */
export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;

/** What `PublicKeyCredential.toJSON()` gives for an assertion (WebAuthn L3 `AuthenticationResponseJSON`); bytes are unpadded base64url. */
export interface PasskeyAssertion {
  readonly id: string;
  readonly rawId: string;
  readonly response: {
    readonly clientDataJSON: string;
    readonly authenticatorData: string;
    readonly signature: string;
    readonly userHandle?: string;
  };
  readonly authenticatorAttachment: 'platform' | 'cross-platform' | null;
  readonly clientExtensionResults: Record<string, unknown>;
  readonly type: 'public-key';
}

export const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

/**
 * A test passkey plus the browser that uses it: a discoverable P-256 credential of the account's
 * user, answering `navigator.credentials.get({ publicKey: options })` the way a browser on
 * web.whatsapp.com does. The simulated server knows only `credentialId`, `userHandle` and `publicKey`.
 */
export class TestAuthenticator {
  readonly credentialId: Buffer = randomBytes(16);
  /** The user id the credential was created for (returned as `userHandle`: `allowCredentials` is empty). */
  readonly userHandle: Buffer = randomBytes(16);
  readonly publicKey: KeyObject;
  private readonly privateKey: KeyObject;
  private signCount = 0;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.publicKey = publicKey;
    this.privateKey = privateKey;
  }

  /** Signs the challenge of `requestOptionsJson` (the `passkey_request_options` JSON) as if the page ran on `origin`. */
  assert(requestOptionsJson: string, origin = WHATSAPP_WEB_ORIGIN): PasskeyAssertion {
    const options = JSON.parse(requestOptionsJson) as { challenge?: unknown; rpId?: unknown };
    if (typeof options.challenge !== 'string' || typeof options.rpId !== 'string') {
      throw new Error('TestAuthenticator: the request options need a string challenge and rpId');
    }
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false }));
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(++this.signCount);
    const authenticatorData = Buffer.concat([sha256(options.rpId), Buffer.from([FLAG_UP | FLAG_UV]), counter]);
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientData)]), this.privateKey); // DER
    const id = this.credentialId.toString('base64url');
    return {
      id,
      rawId: id,
      response: {
        clientDataJSON: clientData.toString('base64url'),
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: this.userHandle.toString('base64url'),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      type: 'public-key',
    };
  }
}
