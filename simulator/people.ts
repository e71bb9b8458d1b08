import type { Account } from './account.js';
import { Contact } from './contacts.js';
import type { ContactSpec, Group, GroupSpec, Logger } from './types.js';

/** The simulated people and groups around the account, found by phone, LID or group JID. */
export class People {
  /** Each contact under both its phone number and its LID. */
  private readonly contacts = new Map<string, Contact>();
  private readonly groups = new Map<string, Group>();
  private lastGeneratedId = 0;

  constructor(
    private readonly account: Account,
    private readonly logger: Logger,
  ) {}

  /** A simulated person with their own Signal identity; the same phone returns the same contact. */
  contact(spec: ContactSpec): Contact {
    const existing = this.contacts.get(spec.phone);
    if (existing?.phone === spec.phone) return existing;
    if (!/^\d+$/.test(spec.phone) || (spec.lid !== undefined && !/^\d+$/.test(spec.lid))) {
      throw new Error(`simulator: phone and lid must be digits only (${spec.phone}, ${spec.lid})`);
    }
    const lid = spec.lid ?? String(200000000000000 + ++this.lastGeneratedId);
    const taken = [spec.phone, lid].find((user) => this.contacts.has(user) || this.account.isOwnUser(user));
    if (taken) throw new Error(`simulator: ${taken} already belongs to the account or another contact`);
    const contact = new Contact({ phone: spec.phone, lid, ...(spec.pushName ? { pushName: spec.pushName } : {}) }, this.logger);
    this.contacts.set(contact.phone, contact);
    this.contacts.set(contact.lid, contact);
    return contact;
  }

  /** A group chat of the account with these people. */
  group(spec: GroupSpec): Group {
    const id = spec.id ?? String(120363000000000000n + BigInt(++this.lastGeneratedId));
    const group: Group = {
      id,
      jid: `${id}@g.us`,
      subject: spec.subject ?? `Group ${id}`,
      participants: [...spec.participants],
      admins: [...(spec.admins ?? [])],
      accountAdmin: spec.accountAdmin ?? true,
      accountMember: true,
    };
    this.groups.set(group.jid, group);
    return group;
  }

  /** The contact with this phone number or LID user part. */
  findContact(user: string): Contact | undefined {
    return this.contacts.get(user);
  }

  findGroup(jid: string): Group | undefined {
    return this.groups.get(jid);
  }

  /** Every group made, in the order made. */
  allGroups(): Group[] {
    return [...this.groups.values()];
  }

  /** Every contact once. */
  all(): Contact[] {
    return [...new Set(this.contacts.values())];
  }
}
