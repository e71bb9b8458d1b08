import {
  addTransactionCapability,
  Curve,
  DEFAULT_CONNECTION_CONFIG,
  encodeBigEndian,
  initAuthCreds,
  KEY_BUNDLE_TYPE,
  proto,
  signedKeyPair,
  unpadRandomMax16,
  writeRandomPadMax16,
  xmppPreKey,
  xmppSignedPreKey,
  type BinaryNode,
  type KeyPair,
  type SignalCreds,
  type SignalKeyStoreWithTransaction,
  type SignalRepositoryWithLIDStore,
} from '@whiskeysockets/baileys';
import type { Device, PreKeyBundle } from './account.js';
import { memoryKeyStore } from './memory-store.js';
import type { Logger } from './types.js';

/** Ciphertext as Baileys' signal repository produces it. */
export interface Ciphertext {
  readonly type: 'pkmsg' | 'msg';
  readonly ciphertext: Uint8Array;
}

/**
 * A simulated person (or the account's own phone) with a real Signal identity. It is a Baileys
 * signal repository over an in-memory store, so it encrypts and decrypts exactly like a client.
 * Sessions with the companion device are keyed by the device's LID JID and live as long as the
 * simulator, so they survive the client's reconnections.
 */
export class Contact {
  /** Phone number, digits only. */
  readonly phone: string;
  /** LID user part. */
  readonly lid: string;
  /** Default push name of their messages. */
  readonly pushName: string | undefined;
  private readonly creds: SignalCreds;
  private readonly repo: SignalRepositoryWithLIDStore;
  private readonly keys: SignalKeyStoreWithTransaction;
  private nextPreKeyId = 1;

  constructor(info: { phone: string; lid: string; pushName?: string }, logger: Logger, identity?: KeyPair) {
    this.phone = info.phone;
    this.lid = info.lid;
    this.pushName = info.pushName;
    const fresh = initAuthCreds();
    this.creds = identity ? { registrationId: fresh.registrationId, signedIdentityKey: identity, signedPreKey: signedKeyPair(identity, 1) } : fresh;
    this.keys = addTransactionCapability(memoryKeyStore(), logger, { maxCommitRetries: 1, delayBetweenTriesMs: 0 });
    this.repo = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds: this.creds, keys: this.keys }, logger);
  }

  /** `<phone>@s.whatsapp.net` */
  get jid(): string {
    return `${this.phone}@s.whatsapp.net`;
  }

  /** `<lid>@lid` */
  get lidJid(): string {
    return `${this.lid}@lid`;
  }

  /** Encrypts a message for a device, starting a session from its uploaded bundle on first use. */
  async encryptFor(device: Device, message: proto.IMessage): Promise<Ciphertext> {
    const jid = device.lidJid;
    if (!(await this.repo.validateSession(jid)).exists) await this.repo.injectE2ESession({ jid, session: device.takeBundle() });
    return this.repo.encryptMessage({ jid, data: writeRandomPadMax16(proto.Message.encode(message).finish()) });
  }

  /** Drops the session with a device and starts a new one from `bundle`: the next message to it is a pkmsg again. */
  async restartSession(device: Device, bundle: PreKeyBundle): Promise<void> {
    await this.repo.deleteSession([device.lidJid]);
    await this.repo.injectE2ESession({ jid: device.lidJid, session: bundle });
  }

  /** Encrypts a group message with this person's sender key; also returns the key's distribution message. */
  encryptForGroup(groupJid: string, senderJid: string, message: proto.IMessage) {
    const data = writeRandomPadMax16(proto.Message.encode(message).finish());
    return this.repo.encryptGroupMessage({ group: groupJid, meId: senderJid, data });
  }

  /** The distribution message of this person's sender key for a group, as it stands (no message is encrypted). */
  senderKeyDistribution(groupJid: string, senderJid: string): Promise<Uint8Array> {
    return this.repo.getSenderKeyDistributionMessage({ group: groupJid, meId: senderJid });
  }

  /** Decrypts a pairwise message a device sent to this person. */
  async decryptFrom(device: Device, type: 'pkmsg' | 'msg', ciphertext: Uint8Array): Promise<proto.Message> {
    const plaintext = await this.repo.decryptMessage({ jid: device.lidJid, type, ciphertext });
    return proto.Message.decode(unpadRandomMax16(plaintext));
  }

  /** Learns a device's sender key for a group from its distribution message. */
  processSenderKey(authorJid: string, item: proto.Message.ISenderKeyDistributionMessage): Promise<void> {
    return this.repo.processSenderKeyDistributionMessage({ authorJid, item });
  }

  /** Decrypts a group (skmsg) message a device sent. */
  async decryptGroup(groupJid: string, authorJid: string, ciphertext: Uint8Array): Promise<proto.Message> {
    const plaintext = await this.repo.decryptGroupMessage({ group: groupJid, authorJid, msg: ciphertext });
    return proto.Message.decode(unpadRandomMax16(plaintext));
  }

  /** This person's prekey bundle as the server returns it (`<user jid>` of an encrypt/get answer). */
  async bundleNode(jid: string): Promise<BinaryNode> {
    const keyId = this.nextPreKeyId++;
    const preKey = Curve.generateKeyPair();
    await this.keys.set({ 'pre-key': { [keyId]: preKey } });
    return {
      tag: 'user',
      attrs: { jid },
      content: [
        { tag: 'registration', attrs: {}, content: encodeBigEndian(this.creds.registrationId) },
        { tag: 'type', attrs: {}, content: KEY_BUNDLE_TYPE },
        { tag: 'identity', attrs: {}, content: this.creds.signedIdentityKey.public },
        xmppSignedPreKey(this.creds.signedPreKey),
        xmppPreKey(preKey, keyId),
      ],
    };
  }

  /** Releases the repository's caches. */
  close(): void {
    this.repo.close?.();
  }
}
