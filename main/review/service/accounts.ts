/** Session, guidelines, the blind switch and reviewer profiles: the admin side of review. */
import { ApiError } from '../../../api/contract.js';
import type { Reviewer, ReviewerRole, ReviewSession } from '../../../api/review.js';
import { authenticatedActor } from '../actor.js';
import { defaultGuidelines } from '../guidelines.js';
import { hashPassword } from '../password.js';
import { accountKey, normalizeAccountName } from '../accountName.js';
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
    const signedIn = authenticatedActor();
    return {
      reviewer: publicReviewer(actor),
      // Over the network only an admin sees the account list (names, roles, who has a password).
      reviewers: signedIn && actor.role !== 'admin' ? [publicReviewer(actor)] : this.repo.reviewers.list().map(publicReviewer),
      blind: this.access.blind(),
      guidelines: { markdown: g?.value ?? defaultGuidelines, updatedAt: g?.updatedAt ?? null, updatedBy: g?.updatedBy ?? null },
      authenticated: signedIn !== null,
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
    const name = normalizeAccountName(input.name);
    if (!name) throw new ApiError('bad-input', 'name: a reviewer name needs at least one visible character');
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    // Checked after the hash (an await) so that the check and the insert are one synchronous step.
    const key = accountKey(name);
    const clash = this.repo.reviewers.byExactName(name) ?? this.repo.reviewers.list().find((r) => accountKey(r.name) === key);
    if (clash) throw new ApiError('conflict', clash.name === name ? `A reviewer named "${name}" already exists` : `"${name}" is too close to the existing reviewer "${clash.name}"`);
    return publicReviewer(this.repo.reviewers.add({ name, role: input.role, passwordHash, isLocal: false }));
  }

  async updateReviewer(input: { id: number; role?: ReviewerRole | undefined; password?: string | undefined }): Promise<Reviewer> {
    const actor = this.access.actor();
    this.access.requireAdmin(actor, 'change reviewers');
    const passwordHash = input.password ? await hashPassword(input.password) : undefined;
    // From here on synchronous, inside one transaction: two demotions at once cannot both pass the check.
    return this.repo.transaction(() => {
      const target = this.repo.reviewers.get(input.id);
      if (!target) throw new ApiError('not-found', `No reviewer with id ${input.id}`);
      if (input.role === 'reviewer' && target.role === 'admin') this.keepAnAdmin(target);
      this.repo.reviewers.update(input.id, { role: input.role, passwordHash });
      return publicReviewer(this.repo.reviewers.get(input.id) as ReviewerRow);
    });
  }

  /**
   * At least one admin always remains, and one who can sign in when the one demoted could: the local profile
   * is an admin without a password, which counts on the desktop but cannot sign in over the network.
   */
  private keepAnAdmin(target: ReviewerRow): void {
    const others = this.repo.reviewers.list().filter((r) => r.role === 'admin' && r.id !== target.id);
    if (others.length === 0) throw new ApiError('conflict', 'The last admin cannot lose the admin role');
    if (target.hasPassword && !others.some((r) => r.hasPassword)) {
      throw new ApiError('conflict', `${target.name} is the last admin who can sign in; give another admin a password first`);
    }
  }

  /** The account a typed name means: the one whose normalised, case-folded name is the same. */
  findByName(typed: string): ReviewerRow | null {
    const key = accountKey(typed);
    if (!key) return null;
    const exact = this.repo.reviewers.byExactName(typed);
    if (exact) return exact;
    const matches = this.repo.reviewers.list().filter((r) => accountKey(r.name) === key);
    // Look-alike names an earlier release let in: neither is meant, so neither signs in by the ambiguous form.
    return matches.length === 1 ? (matches[0] as ReviewerRow) : null;
  }
}
