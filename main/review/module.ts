/** The review domain: expert decisions (rev_* tables), the review.* Api and the reviewer accounts of the login. */
import { createHash } from 'node:crypto';
import type { reviewMethods, Reviewer } from '../../api/review.js';
import { defineModule } from '../platform/module.js';
import * as m020 from './migrations/020_review.js';
import { publicReviewer } from './store.js';
import { dummyHash, verifyPassword } from './password.js';
import type { KnowledgeLookup } from './ports.js';
import { ReviewService } from './service.js';

export type ReviewMethod = keyof typeof reviewMethods;

/** What the login needs from the reviewer profiles, without SQL. */
export interface ReviewerAccounts {
  /** The reviewer whose name and password match, or null (same timing either way). */
  verify(name: string, password: string): Promise<Reviewer | null>;
  get(id: number): Reviewer | null;
  /**
   * Changes whenever the account's role or password changes (whoever changed it: the Api, the CLI, another
   * process); a session remembers the stamp it was created with and ends when it no longer matches. Null: no account.
   */
  credentialStamp(id: number): string | null;
  /** True when at least one admin can sign in (a password is set). */
  hasAdminLogin(): boolean;
}

export interface ReviewExports {
  service: ReviewService;
  accounts: ReviewerAccounts;
}

export interface ReviewDeps {
  knowledge: KnowledgeLookup;
}

export const reviewModule = defineModule<ReviewMethod, ReviewExports, ReviewDeps>({
  name: 'review',
  migrations: [{ name: '020_review', sql: m020.sql }],
  setup(ctx, deps) {
    const service = new ReviewService(ctx.db, deps.knowledge);
    const accounts: ReviewerAccounts = {
      async verify(name, password) {
        const r = service.accounts.findByName(name);
        if (!r || r.passwordHash === null) {
          await verifyPassword(password, await dummyHash());
          return null;
        }
        return (await verifyPassword(password, r.passwordHash)) ? publicReviewer(r) : null;
      },
      get(id) {
        const r = service.repo.reviewers.get(id);
        return r ? publicReviewer(r) : null;
      },
      credentialStamp(id) {
        const r = service.repo.reviewers.get(id);
        return r ? createHash('sha256').update(`${r.role}\u0000${r.passwordHash ?? ''}`).digest('base64url') : null;
      },
      hasAdminLogin() {
        return service.repo.reviewers.list().some((r) => r.role === 'admin' && r.hasPassword);
      },
    };
    return {
      exports: { service, accounts },
      handlers: {
        'review.session': ({ reviewerId }) => service.session(reviewerId),
        'review.queue': (input) => service.queue(input),
        'review.item': (input) => service.item(input),
        'review.decide': (input) => service.decide(input),
        'review.undo': (input) => service.undo(input),
        'review.bulk': (input) => service.bulk(input),
        'review.bulkPreview': (input) => service.bulkPreview(input),
        'review.audit': (input) => service.audit(input),
        'review.exportAudit': (input) => service.exportAudit(input),
        'review.exportHumanSet': (input) => service.exportHumanSet(input),
        'review.agreement': (input) => service.agreement(input),
        'review.setGuidelines': ({ markdown }) => service.setGuidelines(markdown),
        'review.setBlind': ({ blind }) => service.setBlind(blind),
        'review.addReviewer': (input) => service.addReviewer(input),
        'review.updateReviewer': (input) => service.updateReviewer(input),
      },
    };
  },
});
