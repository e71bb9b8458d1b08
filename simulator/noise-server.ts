import { aesDecryptGCM, aesEncryptGCM, Curve, hkdf, NOISE_MODE, NOISE_WA_HEADER, proto, sha256, type KeyPair } from '@whiskeysockets/baileys';

/** Long-lived keys of the simulated server: its Noise static key and the certificate chain for it. */
export interface ServerIdentity {
  readonly staticKey: KeyPair;
  readonly certChain: Uint8Array;
}

/**
 * Makes a server identity with a genuinely signed two-level certificate chain
 * (root -> intermediate -> leaf = static key). The root is our own, not WhatsApp's:
 * rc14's `Curve.verify` never fails, so the client accepts it (see docs/simulator.md).
 */
export function makeServerIdentity(): ServerIdentity {
  const staticKey = Curve.generateKeyPair();
  const root = Curve.generateKeyPair();
  const intermediate = Curve.generateKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const validity = { notBefore: now - 3600, notAfter: now + 30 * 24 * 3600 };
  const intermediateDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 1,
    issuerSerial: 0, // must equal WA_CERT_DETAILS.SERIAL
    key: intermediate.public,
    ...validity,
  }).finish();
  const leafDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 2,
    issuerSerial: 1,
    key: staticKey.public,
    ...validity,
  }).finish();
  const certChain = proto.CertChain.encode({
    intermediate: { details: intermediateDetails, signature: Curve.sign(root.private, intermediateDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(intermediate.private, leafDetails) },
  }).finish();
  return { staticKey, certChain };
}

const ivFor = (counter: number): Buffer => {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
};

/** One direction of the post-handshake transport: AES-256-GCM, counter IV, no AAD. */
class TransportCipher {
  private counter = 0;
  constructor(private readonly key: Uint8Array) {}
  encrypt(plaintext: Uint8Array): Buffer {
    return aesEncryptGCM(plaintext, this.key, ivFor(this.counter++), Buffer.alloc(0));
  }
  decrypt(ciphertext: Uint8Array): Buffer {
    return aesDecryptGCM(ciphertext, this.key, ivFor(this.counter++), Buffer.alloc(0));
  }
}

/** What the client told us in its handshake finish. */
export interface ClientHello {
  readonly payload: proto.ClientPayload;
  /** The client's Noise static public key (creds.noiseKey.public): identifies the device. */
  readonly clientStatic: Buffer;
}

/**
 * The responder side of WhatsApp's Noise XX handshake, mirroring Baileys' lib/Utils/noise-handler.js
 * step by step, plus the 3-byte length framing. Not thread-safe by design: the caller feeds data in
 * arrival order.
 */
export class NoiseServer {
  private hash: Uint8Array;
  private salt: Uint8Array;
  private key: Uint8Array;
  private counter = 0;
  private inBytes: Buffer = Buffer.alloc(0);
  private introSeen = false;
  private ephemeral: KeyPair | undefined;
  private reader: TransportCipher | undefined;
  private writer: TransportCipher | undefined;

  constructor(private readonly identity: ServerIdentity) {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.byteLength === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
    this.authenticate(NOISE_WA_HEADER);
  }

  /** Splits incoming bytes into complete frames (stripping the one-time intro header). */
  frames(chunk: Buffer): Buffer[] {
    this.inBytes = this.inBytes.length ? Buffer.concat([this.inBytes, chunk]) : chunk;
    if (!this.introSeen) {
      if (this.inBytes.length < NOISE_WA_HEADER.length) return [];
      if (!this.inBytes.subarray(0, NOISE_WA_HEADER.length).equals(NOISE_WA_HEADER)) {
        throw new Error('unexpected intro header (routing info is not supported)');
      }
      this.inBytes = this.inBytes.subarray(NOISE_WA_HEADER.length);
      this.introSeen = true;
    }
    const out: Buffer[] = [];
    while (this.inBytes.length >= 3) {
      const size = this.inBytes.readUIntBE(0, 3);
      if (this.inBytes.length < size + 3) break;
      out.push(this.inBytes.subarray(3, size + 3));
      this.inBytes = this.inBytes.subarray(size + 3);
    }
    return out;
  }

  /** Handles `clientHello` and returns the framed `serverHello` to send back. */
  respondToHello(frame: Buffer): Buffer {
    const clientEphemeral = proto.HandshakeMessage.decode(frame).clientHello?.ephemeral;
    if (!clientEphemeral?.length) throw new Error('handshake: missing client ephemeral');
    this.ephemeral = Curve.generateKeyPair();
    this.authenticate(clientEphemeral);
    this.authenticate(this.ephemeral.public);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, clientEphemeral));
    const encStatic = this.encrypt(this.identity.staticKey.public);
    this.mixIntoKey(Curve.sharedKey(this.identity.staticKey.private, clientEphemeral));
    const payload = this.encrypt(this.identity.certChain);
    const serverHello = proto.HandshakeMessage.encode({
      serverHello: { ephemeral: this.ephemeral.public, static: encStatic, payload },
    }).finish();
    return this.frame(serverHello);
  }

  /** Handles `clientFinish`: returns the client payload and switches to transport mode. */
  finish(frame: Buffer): ClientHello {
    const finish = proto.HandshakeMessage.decode(frame).clientFinish;
    if (!finish?.static || !finish.payload || !this.ephemeral) throw new Error('handshake: bad client finish');
    const clientStatic = this.decrypt(finish.static);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, clientStatic));
    const payload = proto.ClientPayload.decode(this.decrypt(finish.payload));
    const keys = Buffer.from(hkdf(new Uint8Array(0), 64, { salt: this.salt, info: '' }));
    // the client writes with the first half and reads with the second
    this.reader = new TransportCipher(keys.subarray(0, 32));
    this.writer = new TransportCipher(keys.subarray(32));
    return { payload, clientStatic };
  }

  /** Decrypts one transport frame (the bytes of an encoded binary node). */
  open(frame: Buffer): Buffer {
    if (!this.reader) throw new Error('transport not established');
    return this.reader.decrypt(frame);
  }

  /** Encrypts and frames bytes for the client. */
  seal(plaintext: Uint8Array): Buffer {
    if (!this.writer) throw new Error('transport not established');
    return this.frame(this.writer.encrypt(plaintext));
  }

  private frame(data: Uint8Array): Buffer {
    const out = Buffer.alloc(3 + data.byteLength);
    out.writeUIntBE(data.byteLength, 0, 3);
    out.set(data, 3);
    return out;
  }

  private authenticate(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private encrypt(plaintext: Uint8Array): Buffer {
    const result = aesEncryptGCM(plaintext, this.key, ivFor(this.counter++), this.hash);
    this.authenticate(result);
    return result;
  }

  private decrypt(ciphertext: Uint8Array): Buffer {
    const result = aesDecryptGCM(ciphertext, this.key, ivFor(this.counter++), this.hash);
    this.authenticate(ciphertext);
    return result;
  }

  private mixIntoKey(data: Uint8Array): void {
    const out = Buffer.from(hkdf(data, 64, { salt: this.salt, info: '' }));
    this.salt = out.subarray(0, 32);
    this.key = out.subarray(32);
    this.counter = 0;
  }
}
