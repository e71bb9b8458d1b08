import { ApiToken } from '../api/api-token.js';
import { ConversationStore } from '../assist/conversation-store.js';
import type { Bus } from '../bus.js';
import type { Options } from '../config/options.js';
import { DeliveryLog } from '../delivery/delivery-log.js';
import { Outbox } from '../delivery/outbox.js';
import type { Logger } from '../logging/logger.js';
import { MediaFiles } from '../media/media-files.js';
import { MediaJobs } from '../media/media-jobs.js';
import { SentMessageIds } from '../outgoing/sent-messages.js';
import { PollStore } from '../polls/poll-store.js';
import { useSqliteAuthState } from '../state/auth-state.js';
import type { Db } from '../state/database.js';
import { StatePruner } from '../state/state-pruner.js';
import { WalSync } from '../state/wal-sync.js';

/**
 * What the features keep in the state file, over one open database: the pairing, the outbox
 * and its log, saved files and their jobs, sent ids, polls, the API token, Assist's
 * conversations; and the parts that look after the file itself (WAL sync, pruning).
 */
export function createState(deps: { db: Db; dataDir: string; options: Options; bus: Bus; logger: Logger }) {
  const { db, bus, logger } = deps;
  return {
    auth: useSqliteAuthState(db, bus),
    outbox: new Outbox(db),
    log: new DeliveryLog(db),
    walSync: new WalSync(deps.dataDir),
    pruner: new StatePruner(db, logger, Date.now, bus),
    apiToken: new ApiToken(db, deps.options.apiToken),
    mediaFiles: new MediaFiles(db),
    mediaJobs: new MediaJobs(db),
    sentIds: new SentMessageIds(db),
    pollStore: new PollStore(db),
    assistConversations: new ConversationStore(db),
  };
}

export type BridgeState = ReturnType<typeof createState>;
