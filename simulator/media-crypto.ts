import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** The media kinds a contact can send, as WhatsApp names them. */
export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** A media file as it sits on WhatsApp's CDN, with what the message says about it. */
export interface EncryptedMedia {
  /** 32 random bytes: the only secret, carried in the message. */
  readonly mediaKey: Buffer;
  /** AES-256-CBC ciphertext followed by the 10-byte MAC: the CDN's bytes. */
  readonly encrypted: Buffer;
  /** SHA-256 of the plain file. */
  readonly fileSha256: Buffer;
  /** SHA-256 of `encrypted`. */
  readonly fileEncSha256: Buffer;
  /** Length of the plain file. */
  readonly fileLength: number;
}

const MAC_LENGTH = 10;

/** HKDF info per kind: stickers use the image keys, voice notes the audio ones. */
const HKDF_INFO: Record<MediaKind, string> = {
  image: 'WhatsApp Image Keys',
  sticker: 'WhatsApp Image Keys',
  video: 'WhatsApp Video Keys',
  audio: 'WhatsApp Audio Keys',
  document: 'WhatsApp Document Keys',
};

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

/** iv, cipher key and MAC key: HKDF-SHA256(mediaKey, 112 bytes) split 16/32/32 (the last 32 are unused). */
function mediaKeys(mediaKey: Uint8Array, kind: MediaKind) {
  const expanded = Buffer.from(hkdfSync('sha256', mediaKey, Buffer.alloc(0), HKDF_INFO[kind], 112));
  return { iv: expanded.subarray(0, 16), cipherKey: expanded.subarray(16, 48), macKey: expanded.subarray(48, 80) };
}

const mac = (macKey: Buffer, iv: Buffer, ciphertext: Uint8Array): Buffer =>
  createHmac('sha256', macKey).update(iv).update(ciphertext).digest().subarray(0, MAC_LENGTH);

/** Encrypts a file the way WhatsApp clients do before uploading it. */
export function encryptMedia(plain: Uint8Array, kind: MediaKind, mediaKey: Buffer = randomBytes(32)): EncryptedMedia {
  const { iv, cipherKey, macKey } = mediaKeys(mediaKey, kind);
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  const encrypted = Buffer.concat([ciphertext, mac(macKey, iv, ciphertext)]);
  return { mediaKey, encrypted, fileSha256: sha256(plain), fileEncSha256: sha256(encrypted), fileLength: plain.length };
}

/** What a message says about its file, to check the CDN's bytes against. */
export interface MediaFields {
  readonly mediaKey: Uint8Array;
  readonly fileEncSha256?: Uint8Array | null;
  readonly fileSha256?: Uint8Array | null;
  readonly fileLength?: number | Long | null;
}

/** Long as protobufjs decodes uint64 fields. */
interface Long {
  toNumber(): number;
}

/** Decrypts a CDN file, checking every hash and the MAC the message vouches for; throws on any mismatch. */
export function decryptMedia(encrypted: Buffer, kind: MediaKind, fields: MediaFields): Buffer {
  const { iv, cipherKey, macKey } = mediaKeys(fields.mediaKey, kind);
  if (fields.fileEncSha256 && !sha256(encrypted).equals(fields.fileEncSha256)) throw new Error('simulator: fileEncSha256 does not match the stored file');
  const ciphertext = encrypted.subarray(0, -MAC_LENGTH);
  if (!timingSafeEqual(mac(macKey, iv, ciphertext), encrypted.subarray(-MAC_LENGTH))) throw new Error('simulator: media MAC does not verify');
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (fields.fileSha256 && !sha256(plain).equals(fields.fileSha256)) throw new Error('simulator: fileSha256 does not match the decrypted file');
  const length = typeof fields.fileLength === 'object' && fields.fileLength ? fields.fileLength.toNumber() : fields.fileLength;
  if (length != null && length !== plain.length) throw new Error(`simulator: fileLength ${length} but the file has ${plain.length} bytes`);
  return plain;
}

/** The AES-256-GCM key of media retry requests and notifications, derived from the message's media key. */
const retryKey = (mediaKey: Uint8Array): Buffer => Buffer.from(hkdfSync('sha256', mediaKey, Buffer.alloc(0), 'WhatsApp Media Retry Notification', 32));

/** GCM-encrypts a retry payload; the message id is the additional data, the tag is appended. */
export function encryptRetryPayload(plain: Uint8Array, mediaKey: Uint8Array, messageId: string): { ciphertext: Buffer; iv: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', retryKey(mediaKey), iv).setAAD(Buffer.from(messageId));
  return { ciphertext: Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]), iv };
}

/** Decrypts a retry payload; throws when the key (or the id) is not the one it was made with. */
export function decryptRetryPayload(ciphertext: Uint8Array, iv: Uint8Array, mediaKey: Uint8Array, messageId: string): Buffer {
  const body = Buffer.from(ciphertext);
  const decipher = createDecipheriv('aes-256-gcm', retryKey(mediaKey), iv).setAAD(Buffer.from(messageId));
  decipher.setAuthTag(body.subarray(-16));
  return Buffer.concat([decipher.update(body.subarray(0, -16)), decipher.final()]);
}
