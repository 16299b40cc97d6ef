/**
 * Review's store: the only code that touches the rev_* tables, one class per concern (store/): reviewer
 * profiles, settings, the audit log with its derived caches, and the items of the queue. Every statement
 * with a fixed text is prepared once, as a typed field of its store.
 */
import type { Db } from '../platform/db/open.js';
import type { KnowledgeLookup } from './ports.js';
import { AuditStore } from './store/audit.js';
import { ItemStore } from './store/items.js';
import { ReviewerStore } from './store/reviewers.js';
import { SettingsStore } from './store/settings.js';

export { publicReviewer, toFoldRow, type AuditRow, type ItemKey, type ItemRow, type LabelRow, type NewAudit, type QuestionRow, type ReviewerRow, type Viewer } from './store/rows.js';
export type { AuditScope, ReviewerStateRow } from './store/audit.js';
export type { MatchingItem, QueuePage } from './store/items.js';
export type { Setting } from './store/settings.js';

export class ReviewRepo {
  readonly reviewers: ReviewerStore;
  readonly settings: SettingsStore;
  readonly audit: AuditStore;
  readonly items: ItemStore;

  constructor(
    private readonly db: Db,
    knowledge: Pick<KnowledgeLookup, 'disordersInBranch'>,
  ) {
    this.reviewers = new ReviewerStore(db);
    this.settings = new SettingsStore(db);
    this.audit = new AuditStore(db);
    this.items = new ItemStore(db, knowledge);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
