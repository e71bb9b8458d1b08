import { randomBytes, timingSafeEqual } from 'node:crypto';

/** How long the Unlink dialog's confirmation stays valid. */
export const CONFIRMATION_TTL_MS = 2 * 60_000;

export type ConfirmationCheck = { ok: true } | { ok: false; status: 403 | 409; error: string };

/**
 * The server-side half of the page's Unlink dialog: the page asks for a confirmation when the
 * user confirms, and the unlink request must carry it. One at a time, used once, valid for two
 * minutes and only for the link it was issued for (a relink in between makes it stale), so a
 * request that did not come from a confirmed dialog cannot unlink.
 */
export class UnlinkConfirmation {
  private issued: { token: string; link: string; expiresAt: number } | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** A new confirmation for `link` (the account's JID, or '' while not linked); the previous one is void. */
  issue(link: string): { confirmation: string; expires_in_s: number } {
    const token = randomBytes(18).toString('base64url');
    this.issued = { token, link, expiresAt: this.now() + CONFIRMATION_TTL_MS };
    return { confirmation: token, expires_in_s: CONFIRMATION_TTL_MS / 1000 };
  }

  /** Uses up the confirmation if `given` is the one issued for `link` and still valid. */
  take(given: unknown, link: string): ConfirmationCheck {
    if (typeof given !== 'string' || given === '') {
      return {
        ok: false,
        status: 403,
        error: "Unlinking needs the confirmation of the page's Unlink dialog: POST api/logout/confirmation, then send its 'confirmation' with api/logout.",
      };
    }
    const issued = this.issued;
    const matches = issued !== null && given.length === issued.token.length && timingSafeEqual(Buffer.from(given), Buffer.from(issued.token));
    if (!matches) return stale('it is not the latest one issued, or it was used already');
    this.issued = null;
    if (this.now() > issued.expiresAt) return stale('it expired (they last two minutes)');
    if (issued.link !== link) return stale('the link changed since it was issued');
    return { ok: true };
  }
}

function stale(why: string): ConfirmationCheck {
  return { ok: false, status: 409, error: `The unlink confirmation is stale: ${why}. Press Unlink again.` };
}
