import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Account } from './account.js';
import type { Contact } from './contacts.js';
import { createdNotification, membersNotification, subjectNotification } from './group-stanzas.js';
import type { People } from './people.js';
import type { Group, GroupSpec } from './types.js';

/** Changes made to the account's groups on the phones, each announced to the client as WhatsApp's server notifies it. */
export class GroupChanges {
  constructor(
    private readonly people: People,
    private readonly account: Account,
    /** Sends a notification to every logged-in connection. */
    private readonly notify: (notification: BinaryNode) => void,
  ) {}

  /** A new group with the account in it, by `author` (else by the account): the `create` notification. */
  create(spec: GroupSpec, author?: Contact): Group {
    const group = this.people.group(spec);
    this.notify(createdNotification(group, this.account, author));
    return group;
  }

  /** A new subject: the `subject` notification. */
  rename(group: Group, subject: string, author?: Contact): void {
    group.subject = subject;
    this.notify(subjectNotification(group, this.account, author));
  }

  /** `author` adds `member`: the `add` notification. */
  add(group: Group, member: Contact, author?: Contact): void {
    group.participants.push(member);
    this.notify(membersNotification(group, this.account, 'add', member, author));
  }

  /** The account leaves: the `remove` notification of itself. */
  leave(group: Group): void {
    group.accountMember = false;
    this.notify(membersNotification(group, this.account, 'remove', 'account'));
  }
}
