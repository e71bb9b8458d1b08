import { getBinaryNodeChild, getBinaryNodeChildBuffer, proto, type BinaryNode } from '@whiskeysockets/baileys';
import { decryptRetryPayload, encryptMedia, encryptRetryPayload, type MediaKind } from './media-crypto.js';
import type { MediaHost } from './media-host.js';
import { mediaMessage } from './media-messages.js';
import type { MediaRetryResult, MediaSpec, RecordedMediaRetry } from './media-types.js';

/** A file a simulated person sent, as their phone keeps it. */
interface SentMedia {
  readonly kind: MediaKind;
  readonly mediaKey: Buffer;
  readonly encrypted: Buffer;
  readonly expired: MediaSpec['expired'];
}

const { ResultType } = proto.MediaRetryNotification;
const RESULTS: Record<Exclude<MediaRetryResult, 'unknown-message'>, proto.MediaRetryNotification.ResultType> = {
  reuploaded: ResultType.SUCCESS,
  'not-found': ResultType.NOT_FOUND,
  'decryption-error': ResultType.DECRYPTION_ERROR,
};
/** The `<error code>` WhatsApp answers for a message no phone knows (Baileys maps it to 404). */
const UNKNOWN_MESSAGE_CODE = '2';

/**
 * The phones of simulated people, for media: they encrypt and upload what they send, remember it
 * by message id, and answer a client's re-upload request (`sock.updateMediaMessage`, a
 * `<receipt type="server-error">`) with a `mediaretry` notification, as WhatsApp's phones do.
 */
export class MediaPhone {
  private readonly sent = new Map<string, SentMedia>();

  /** `host` is undefined when the simulator runs without media: sending media then throws. */
  constructor(private readonly host: MediaHost | undefined) {}

  /** Encrypts `spec.data`, uploads it (expired if asked) and returns the message for id `id`. */
  prepare(id: string, spec: MediaSpec): { message: proto.IMessage; sha256: Buffer } {
    if (!this.host) throw new Error('simulator: media needs the media host: WaSimulator.start({ media: true })');
    const file = encryptMedia(spec.data, spec.kind);
    const location = this.host.store(file.encrypted, spec.kind, spec.expired !== undefined, spec.delayMs);
    this.sent.set(id, { kind: spec.kind, mediaKey: file.mediaKey, encrypted: file.encrypted, expired: spec.expired });
    return { message: mediaMessage(spec, file, location), sha256: file.fileSha256 };
  }

  /**
   * The phone's answer to a re-upload request: the same encrypted file at a new path ('until-reupload'
   * or not expired), NOT_FOUND ('for-good'), DECRYPTION_ERROR if the request was not made with the
   * message's media key, an `<error>` for a message it never sent. `from` is the account's JID.
   */
  answerRetry(receipt: BinaryNode, from: string): { notification: BinaryNode; retry: RecordedMediaRetry } {
    const id = receipt.attrs.id ?? '';
    const rmr = getBinaryNodeChild(receipt, 'rmr');
    const key = {
      remoteJid: rmr?.attrs.jid ?? '',
      fromMe: rmr?.attrs.from_me === 'true',
      ...(rmr?.attrs.participant ? { participant: rmr.attrs.participant } : {}),
    };
    const notification = (content: BinaryNode): BinaryNode => ({
      tag: 'notification',
      attrs: { from, type: 'mediaretry', id, t: String(Math.floor(Date.now() / 1000)) },
      content: [{ tag: 'rmr', attrs: { ...rmr?.attrs } }, content],
    });
    const sent = this.sent.get(id);
    if (!sent) {
      return { notification: notification({ tag: 'error', attrs: { code: UNKNOWN_MESSAGE_CODE } }), retry: { id, ...key, result: 'unknown-message' } };
    }
    const result = this.retryResult(receipt, id, sent);
    const directPath = result === 'reuploaded' ? this.host!.store(sent.encrypted, sent.kind, sent.expired === 'gone-after-reupload').directPath : undefined;
    const payload = proto.MediaRetryNotification.encode({ stanzaId: id, result: RESULTS[result], ...(directPath ? { directPath } : {}) }).finish();
    const { ciphertext, iv } = encryptRetryPayload(payload, sent.mediaKey, id);
    const encrypt: BinaryNode = {
      tag: 'encrypt',
      attrs: {},
      content: [
        { tag: 'enc_p', attrs: {}, content: ciphertext },
        { tag: 'enc_iv', attrs: {}, content: iv },
      ],
    };
    return { notification: notification(encrypt), retry: { id, ...key, result, ...(directPath ? { directPath } : {}) } };
  }

  private retryResult(receipt: BinaryNode, id: string, sent: SentMedia): Exclude<MediaRetryResult, 'unknown-message'> {
    // WhatsApp re-uploads even without the encrypted part; when present it must be the message's
    const encrypt = getBinaryNodeChild(receipt, 'encrypt');
    const ciphertext = getBinaryNodeChildBuffer(encrypt, 'enc_p');
    const iv = getBinaryNodeChildBuffer(encrypt, 'enc_iv');
    if (encrypt) {
      try {
        if (!ciphertext || !iv || proto.ServerErrorReceipt.decode(decryptRetryPayload(ciphertext, iv, sent.mediaKey, id)).stanzaId !== id) {
          return 'decryption-error';
        }
      } catch {
        return 'decryption-error';
      }
    }
    return sent.expired === 'for-good' ? 'not-found' : 'reuploaded';
  }
}
