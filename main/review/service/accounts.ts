/** Session, guidelines, the blind switch and reviewer profiles: the admin side of review. */
import { ApiError } from '../../../api/contract.js';
import type { Reviewer, ReviewerRole, ReviewSession } from '../../../api/review.js';
import { authenticatedActor } from '../actor.js';
import { defaultGuidelines } from '../guidelines.js';
import { hashPassword } from '../password.js';
import { publicReviewer, type ReviewerRow } from '../store.js';
import { blindKey, guidelinesKey, type ReviewAccess } from './access.js';

export class ReviewAccounts {
  constructor(private readonly access: ReviewAccess) {}

  private get repo() {
    return this.access.repo;
  }

  session(reviewerId?: number): ReviewSession {
    const actor = this.access.actor(reviewerId);
    const g = this.repo.settings.get(guidelinesKey);
    return {
      reviewer: publicReviewer(actor),
      reviewers: this.repo.reviewers.list().map(publicReviewer),
      blind: this.access.blind(),
      guidelines: { markdown: g?.value ?? defaultGuidelines, updatedAt: g?.updatedAt ?? null, updatedBy: g?.updatedBy ?? null },
      authenticated: authenticatedActor() !== null,
    };
  }

  setGuidelines(markdown: string): ReviewSession['guidelines'] {
    const actor = this.access.actor();
    this.access.requireAdmin(actor, 'edit the guidelines');
    this.repo.settings.put(guidelinesKey, markdown, actor.id);
    const g = this.repo.settings.get(guidelinesKey);
    return { markdown, updatedAt: g?.updatedAt ?? null, updatedBy: g?.updatedBy ?? null };
  }

  setBlind(blind: boolean): { blind: boolean } {
    const actor = this.access.actor();
    this.access.requireAdmin(actor, 'switch blind double review');
    this.repo.settings.put(blindKey, blind ? 'true' : 'false', actor.id);
    return { blind };
  }

  async addReviewer(input: { name: string; role: ReviewerRole; password?: string | undefined }): Promise<Reviewer> {
    const actor = this.access.actor();
    this.access.requireAdmin(actor, 'add reviewers');
    if (this.repo.reviewers.byExactName(input.name)) throw new ApiError('conflict', `A reviewer named "${input.name}" already exists`);
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return publicReviewer(this.repo.reviewers.add({ name: input.name, role: input.role, passwordHash, isLocal: false }));
  }

  async updateReviewer(input: { id: number; role?: ReviewerRole | undefined; password?: string | undefined }): Promise<Reviewer> {
    const actor = this.access.actor();
    this.access.requireAdmin(actor, 'change reviewers');
    const target = this.repo.reviewers.get(input.id);
    if (!target) throw new ApiError('not-found', `No reviewer with id ${input.id}`);
    if (input.role === 'reviewer' && target.role === 'admin' && this.repo.reviewers.list().filter((r) => r.role === 'admin').length === 1) {
      throw new ApiError('conflict', 'The last admin cannot lose the admin role');
    }
    const passwordHash = input.password ? await hashPassword(input.password) : undefined;
    this.repo.reviewers.update(input.id, { role: input.role, passwordHash });
    return publicReviewer(this.repo.reviewers.get(input.id) as ReviewerRow);
  }
}
