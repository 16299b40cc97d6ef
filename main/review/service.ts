/**
 * The review service, one part per concern (service/): who acts and what they see (access), accounts and
 * settings, the queue and items, decisions with undo and bulk, and the audit log, agreement and exports.
 * This class only puts them together; module.ts registers its methods as the review.* Api.
 */
import type { Db } from '../platform/db/open.js';
import type { KnowledgeLookup } from './ports.js';
import type { ReviewRepo } from './store.js';
import { ReviewAccess } from './service/access.js';
import { ReviewAccounts } from './service/accounts.js';
import { ReviewDecisions } from './service/decisions.js';
import { ReviewExports } from './service/exports.js';
import { ReviewItems } from './service/items.js';

export type { HumanLabelledItem } from './service/exports.js';

export class ReviewService {
  readonly access: ReviewAccess;
  readonly accounts: ReviewAccounts;
  readonly items: ReviewItems;
  readonly decisions: ReviewDecisions;
  readonly exports: ReviewExports;

  constructor(db: Db, knowledge: KnowledgeLookup) {
    this.access = new ReviewAccess(db, knowledge);
    this.accounts = new ReviewAccounts(this.access);
    this.items = new ReviewItems(this.access);
    this.decisions = new ReviewDecisions(this.access);
    this.exports = new ReviewExports(this.access);
  }

  get repo(): ReviewRepo {
    return this.access.repo;
  }

  session = (reviewerId?: number) => this.accounts.session(reviewerId);
  setGuidelines = (markdown: string) => this.accounts.setGuidelines(markdown);
  setBlind = (blind: boolean) => this.accounts.setBlind(blind);
  addReviewer: ReviewAccounts['addReviewer'] = (input) => this.accounts.addReviewer(input);
  updateReviewer: ReviewAccounts['updateReviewer'] = (input) => this.accounts.updateReviewer(input);
  queue: ReviewItems['queue'] = (input) => this.items.queue(input);
  item: ReviewItems['item'] = (input) => this.items.item(input);
  decide: ReviewDecisions['decide'] = (input) => this.decisions.decide(input);
  undo: ReviewDecisions['undo'] = (input) => this.decisions.undo(input);
  bulkPreview: ReviewDecisions['bulkPreview'] = (input) => this.decisions.bulkPreview(input);
  bulk: ReviewDecisions['bulk'] = (input) => this.decisions.bulk(input);
  rebuildFromLog = () => this.decisions.rebuildFromLog();
  audit: ReviewExports['audit'] = (input) => this.exports.audit(input);
  exportAudit: ReviewExports['exportAudit'] = (input) => this.exports.exportAudit(input);
  agreement: ReviewExports['agreement'] = (input) => this.exports.agreement(input);
  humanSet = (datasetIds: number[], name: string) => this.exports.humanSet(datasetIds, name);
  exportHumanSet: ReviewExports['exportHumanSet'] = (input) => this.exports.exportHumanSet(input);
}
