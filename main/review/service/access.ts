/**
 * Who acts and what they may see: shared by every part of the review service. Behind a login the session
 * decides the actor; elsewhere the requested local profile, or the default one.
 */
import { ApiError } from '../../../api/contract.js';
import type { Db } from '../../platform/db/open.js';
import { authenticatedActor } from '../actor.js';
import type { KnowledgeLookup } from '../ports.js';
import { ReviewRepo, type ReviewerRow, type Viewer } from '../store.js';

export const guidelinesKey = 'guidelines';
export const blindKey = 'blind';

export class ReviewAccess {
  readonly repo: ReviewRepo;
  private readonly lastSync = new Map<number, number>();

  constructor(
    readonly db: Db,
    readonly knowledge: KnowledgeLookup,
  ) {
    this.repo = new ReviewRepo(db, knowledge);
  }

  actor(requestedId?: number): ReviewerRow {
    const auth = authenticatedActor();
    if (auth) {
      if (requestedId !== undefined && requestedId !== auth.reviewerId) throw new ApiError('forbidden', 'You can only act as the reviewer you signed in as');
      const r = this.repo.reviewers.get(auth.reviewerId);
      if (!r) throw new ApiError('unauthorized', 'Your reviewer profile no longer exists; sign in again');
      return r;
    }
    if (requestedId === undefined) return this.repo.reviewers.localProfile();
    const r = this.repo.reviewers.get(requestedId);
    if (!r) throw new ApiError('not-found', `No reviewer with id ${requestedId}`);
    return r;
  }

  requireAdmin(actor: ReviewerRow, what: string): void {
    if (actor.role !== 'admin') throw new ApiError('forbidden', `Only an admin can ${what}`);
  }

  blind(): boolean {
    return this.repo.settings.get(blindKey)?.value === 'true';
  }

  /** In blind review a reviewer (not an admin) sees only their own decisions. */
  viewer(actor: ReviewerRow): Viewer {
    return { reviewerId: actor.id, ownView: this.blind() && actor.role !== 'admin' };
  }

  /**
   * Brings the queue's items up to date with new questions and labels. Opening a queue always checks; the
   * per-item calls that follow within a couple of seconds skip the check (it costs a few ms at 10,000 items).
   */
  syncDatasets(ids: readonly number[], always = true): void {
    const now = Date.now();
    for (const id of ids) {
      if (!always && now - (this.lastSync.get(id) ?? 0) < 2000) continue;
      if (!this.repo.items.datasetExists(id)) throw new ApiError('not-found', `No complete dataset with id ${id}`);
      this.repo.items.sync(id);
      this.lastSync.set(id, now);
    }
  }
}
