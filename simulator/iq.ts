import {
  encodeBigEndian,
  getAllBinaryNodeChildren,
  getBinaryNodeChild,
  getBinaryNodeChildBuffer,
  getBinaryNodeChildren,
  jidDecode,
  KEY_BUNDLE_TYPE,
  type BinaryNode,
} from '@whiskeysockets/baileys';
import type { Account, Device } from './account.js';
import type { Contact } from './contacts.js';
import { answerGroupIq } from './group-stanzas.js';
import type { Group } from './types.js';
import { sleep } from './waits.js';

/** What answering iqs needs to know about the world. */
export interface IqContext {
  readonly account: Account;
  /** The device logged in on this connection (undefined while pairing). */
  readonly device: Device | undefined;
  /** A simulated person by phone or LID user part. */
  contact(user: string): Contact | undefined;
  /** A simulated group by JID. */
  group(jid: string): Group | undefined;
  /** Every simulated group (the account may have left some). */
  groups(): Iterable<Group>;
  /** While true, group queries answer `rate-overlimit`. */
  rateLimited(): boolean;
  /** Called with the number of one-time prekeys the client uploaded. */
  onPreKeyUpload(count: number): void;
  /** How long the answer to a prekey upload is held back (0: answered at once). */
  readonly preKeyUploadAnswerDelayMs: number;
  /** The `<media_conn>` naming the media host, when it runs. */
  mediaConn(): BinaryNode | undefined;
}

const reply = (iq: BinaryNode, content?: BinaryNode[], type = 'result'): BinaryNode => ({
  tag: 'iq',
  attrs: { id: iq.attrs.id ?? '', type, from: iq.attrs.to ?? 's.whatsapp.net' },
  ...(content ? { content } : {}),
});

const node = (tag: string, attrs: Record<string, string> = {}, content?: BinaryNode[]): BinaryNode => ({
  tag,
  attrs,
  ...(content ? { content } : {}),
});

const uint = (bytes: Uint8Array | undefined): number => (bytes ? Buffer.from(bytes).readUIntBE(0, bytes.length) : 0);

const PRIVACY_DEFAULTS = ['last', 'online', 'profile', 'status', 'groupadd', 'readreceipts', 'calladd'];

/**
 * The server's answer to any iq the client sends, so Baileys never waits for a timeout: the ones
 * Baileys reads are answered with what it expects, anything else with an empty result.
 * (`md` iqs, used by pairing and logout, are handled by the session.)
 */
export async function answerIq(iq: BinaryNode, ctx: IqContext): Promise<BinaryNode> {
  const first = getAllBinaryNodeChildren(iq)[0];
  switch (iq.attrs.xmlns) {
    case 'encrypt':
      return answerEncrypt(iq, first, ctx);
    case 'usync':
      return reply(iq, [usync(getBinaryNodeChild(iq, 'usync'), ctx)]);
    case 'abt':
      return reply(iq, [node('props', { protocol: '1' })]);
    case 'privacy':
      if (iq.attrs.type !== 'get') return reply(iq);
      return reply(iq, [
        node(
          'privacy',
          {},
          PRIVACY_DEFAULTS.map((name) => node('category', { name, value: name === 'readreceipts' && ctx.account.readReceiptsOff ? 'none' : 'all' })),
        ),
      ]);
    case 'blocklist':
      return reply(iq, [node('list')]);
    case 'w:sync:app:state': {
      // no patches and no snapshot: every collection is complete at the version the client has
      const collections = getBinaryNodeChildren(first, 'collection');
      return reply(iq, [
        node(
          'sync',
          {},
          collections.map((c) => node('collection', { name: c.attrs.name ?? '', version: c.attrs.version ?? '0' })),
        ),
      ]);
    }
    case 'w:m': {
      // without a media host the answer stays empty, and Baileys' upload fails
      const mediaConn = first?.tag === 'media_conn' ? ctx.mediaConn() : undefined;
      return reply(iq, mediaConn ? [mediaConn] : undefined);
    }
    case 'w:g2':
      return answerGroupIq(iq, ctx);
    default:
      // w:p pings, passive/active, w:stats, presence-related and everything unknown
      return reply(iq);
  }
}

async function answerEncrypt(iq: BinaryNode, first: BinaryNode | undefined, ctx: IqContext): Promise<BinaryNode> {
  const device = ctx.device;
  switch (first?.tag) {
    case 'count':
      return reply(iq, [node('count', { value: String(device?.preKeys.size ?? 0) })]);
    case 'digest':
      return reply(iq, [node('digest')]);
    case 'key': {
      const users = await Promise.all(getBinaryNodeChildren(first, 'user').map((u) => bundle(u.attrs.jid ?? '', ctx)));
      return reply(iq, [node('list', {}, users)]);
    }
    case 'rotate':
      if (device) storeSignedPreKey(device, getBinaryNodeChild(first, 'skey'));
      return reply(iq);
    default: {
      const list = getBinaryNodeChild(iq, 'list');
      if (device && list) {
        const keys = getBinaryNodeChildren(list, 'key');
        for (const key of keys) {
          const value = getBinaryNodeChildBuffer(key, 'value');
          if (value) device.preKeys.set(uint(getBinaryNodeChildBuffer(key, 'id')), value);
        }
        storeSignedPreKey(device, getBinaryNodeChild(iq, 'skey'));
        ctx.onPreKeyUpload(keys.length);
      }
      // a slow server: WhatsApp's answers to queries can come late under load (Baileys #573, #1813:
      // queries WhatsApp left unanswered past the client's 60 s timeout)
      if (ctx.preKeyUploadAnswerDelayMs) await sleep(ctx.preKeyUploadAnswerDelayMs);
      return reply(iq);
    }
  }
}

/** The prekey bundle of a simulated person, or of one of the account's own paired devices. */
async function bundle(jid: string, ctx: IqContext): Promise<BinaryNode> {
  const decoded = jidDecode(jid);
  const contact = ctx.contact(decoded?.user ?? '');
  if (contact) return contact.bundleNode(jid);
  const own = ctx.account.isOwnUser(decoded?.user) ? ctx.account.devices.get(decoded?.device ?? 0) : undefined;
  if (!own) return node('user', { jid }, [node('error', { code: '404', text: 'item-not-found' })]);
  // e.g. a group's sender key, which Baileys also encrypts for its own LID device
  const preKey = own.takePreKey();
  const bytes = (tag: string, content: Uint8Array): BinaryNode => ({ tag, attrs: {}, content });
  return node('user', { jid }, [
    bytes('registration', encodeBigEndian(own.registrationId)),
    bytes('type', KEY_BUNDLE_TYPE),
    bytes('identity', own.identityKey),
    node('skey', {}, [
      bytes('id', encodeBigEndian(own.signedPreKey.keyId, 3)),
      bytes('value', own.signedPreKey.publicKey),
      bytes('signature', own.signedPreKey.signature),
    ]),
    ...(preKey ? [node('key', {}, [bytes('id', encodeBigEndian(preKey.keyId, 3)), bytes('value', preKey.publicKey)])] : []),
  ]);
}

function storeSignedPreKey(device: Device, skey: BinaryNode | undefined): void {
  const publicKey = getBinaryNodeChildBuffer(skey, 'value');
  const signature = getBinaryNodeChildBuffer(skey, 'signature');
  if (publicKey && signature) {
    device.signedPreKey = { keyId: uint(getBinaryNodeChildBuffer(skey, 'id')), publicKey, signature };
  }
}

/**
 * Answers a usync query for the protocols asked: `devices` (a simulated person has only their phone,
 * device 0; the account lists only the querying device, so the client sends nothing to a phone the
 * simulator does not play), `lid` for phone JIDs, and `contact` (on WhatsApp or not).
 */
function usync(query: BinaryNode | undefined, ctx: IqContext): BinaryNode {
  const protocols = getAllBinaryNodeChildren(getBinaryNodeChild(query, 'query') ?? node('query')).map((p) => p.tag);
  const users = getBinaryNodeChildren(getBinaryNodeChild(query, 'list'), 'user').map((user) => usyncUser(user, protocols, ctx));
  return node('usync', { ...query?.attrs, last: 'true', index: '0' }, [node('result'), node('list', {}, users)]);
}

function usyncUser(user: BinaryNode, protocols: string[], ctx: IqContext): BinaryNode {
  // a contact lookup (onWhatsApp) names the user by phone number instead of JID
  const phone = getBinaryNodeChild(user, 'contact')?.content?.toString().replace(/\D/g, '');
  const jid = user.attrs.jid ?? `${phone}@s.whatsapp.net`;
  const decoded = jidDecode(jid);
  const own = ctx.account.isOwnUser(decoded?.user);
  const contact = ctx.contact(decoded?.user ?? '');
  const children: BinaryNode[] = [];
  for (const protocol of protocols) {
    if (protocol === 'devices') {
      const devices =
        own && ctx.device ? [node('device', { id: String(ctx.device.id), 'key-index': String(ctx.device.id) })] : contact ? [node('device', { id: '0' })] : [];
      children.push(node('devices', {}, [node('device-list', {}, devices)]));
    } else if (protocol === 'lid' && decoded?.server === 's.whatsapp.net' && (own || contact)) {
      children.push(node('lid', { val: own ? ctx.account.lidJid : contact!.lidJid }));
    } else if (protocol === 'contact') {
      children.push(node('contact', { type: own || contact ? 'in' : 'out' }));
    }
  }
  return node('user', { jid }, children);
}
