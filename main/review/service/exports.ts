/** The audit log as pages and files, the agreement report and the human-labelled export. */
import { ApiError } from '../../../api/contract.js';
import type { AgreementReport, AuditEntry, AuditPage, ExportFile } from '../../../api/review.js';
import { formatQuestion } from '../../llm/index.js';
import { agreementReport } from '../agreement.js';
import { auditCsv } from '../auditCsv.js';
import { reviewedGold, reviewedOutcomes } from '../outcomes.js';
import type { AuditRow, AuditScope, ItemKey, ReviewerRow } from '../store.js';
import type { ReviewAccess } from './access.js';

export interface HumanLabelledItem {
  id: string;
  question: string;
  gold: string;
  name: string;
  meta: {
    dataset: string;
    version: number;
    questionId: string;
    questionType: string;
    difficulty: string;
    orphaCodes: string[];
    intendedAnswer: string;
    pseudoLabel: string | null;
    humanAnswer: string;
    status: 'accepted' | 'corrected';
    edited: boolean;
  };
}

/** An audit row as the Api shows it (the pseudo-label at the time stays internal). */
export function publicEntry(a: AuditRow): AuditEntry {
  const { pseudoLabel: _pseudo, ...rest } = a;
  return rest;
}

export class ReviewExports {
  constructor(private readonly access: ReviewAccess) {}

  private get repo() {
    return this.access.repo;
  }

  /** In blind mode a reviewer's view of the log is their own rows (in SQL, so totals and pages agree). */
  private scopeFor(actor: ReviewerRow, scope: AuditScope): AuditScope {
    return this.access.viewer(actor).ownView ? { ...scope, reviewerId: actor.id } : scope;
  }

  audit(input: { datasetIds?: number[] | undefined; item?: ItemKey | undefined; offset: number; limit: number }): AuditPage {
    const actor = this.access.actor();
    const page = this.repo.audit.page(this.scopeFor(actor, { datasetIds: input.datasetIds, item: input.item }), input.offset, input.limit);
    return { total: page.total, entries: page.entries.map(publicEntry) };
  }

  exportAudit(input: { format: 'csv' | 'json'; datasetIds?: number[] | undefined }): ExportFile {
    const actor = this.access.actor();
    const entries: AuditEntry[] = [];
    for (const a of this.repo.audit.all(this.scopeFor(actor, { datasetIds: input.datasetIds }))) entries.push(publicEntry(a));
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    if (input.format === 'json') {
      return { filename: `medssr-audit-${stamp}.json`, mimeType: 'application/json', content: `${JSON.stringify(entries, null, 2)}\n`, count: entries.length };
    }
    return { filename: `medssr-audit-${stamp}.csv`, mimeType: 'text/csv', content: auditCsv(entries), count: entries.length };
  }

  agreement(input: { datasetIds?: number[] | undefined }): AgreementReport {
    const actor = this.access.actor();
    if (this.access.viewer(actor).ownView) throw new ApiError('forbidden', 'Agreement figures reveal other reviewers’ decisions; in blind review only an admin sees them');
    const names = new Map(this.repo.reviewers.list().map((r) => [r.id, r.name]));
    const times: { reviewerId: number; at: string }[] = [];
    for (const a of this.repo.audit.all({ datasetIds: input.datasetIds })) {
      if (a.batch === null && a.action !== 'undo' && a.action !== 'comment') times.push({ reviewerId: a.reviewerId, at: a.at });
    }
    return agreementReport(this.repo.audit.states(input.datasetIds), reviewedOutcomes(this.access.db, input.datasetIds), times, names);
  }

  /** Items with an accepted or corrected outcome, in MedSSR format with the reviewers' answer as gold. */
  humanSet(datasetIds: number[], name: string): HumanLabelledItem[] {
    this.access.syncDatasets(datasetIds);
    const out: HumanLabelledItem[] = [];
    for (const o of reviewedOutcomes(this.access.db, datasetIds)) {
      const gold = reviewedGold(o);
      if (gold === null) continue;
      const q = this.repo.items.question(o.datasetId, o.seq);
      if (!q) continue;
      const content = o.content ?? { stem: q.stem, options: q.options };
      out.push({
        id: q.id,
        question: formatQuestion(content.stem, content.options),
        gold: gold.answer,
        name,
        meta: {
          dataset: q.datasetName,
          version: q.datasetVersion,
          questionId: q.id,
          questionType: q.questionType,
          difficulty: q.difficulty,
          orphaCodes: q.provenance.orphaCodes,
          intendedAnswer: q.intendedAnswer,
          pseudoLabel: o.pseudoLabel,
          humanAnswer: gold.answer,
          status: gold.status,
          edited: o.content !== null,
        },
      });
    }
    return out;
  }

  exportHumanSet(input: { datasetIds: number[]; name: string }): ExportFile {
    const actor = this.access.actor();
    // Its gold is the combined outcome of every reviewer's decisions; a blind reviewer would read the others' answers.
    if (this.access.viewer(actor).ownView) throw new ApiError('forbidden', 'The human-labelled set combines every reviewer’s decisions; in blind review only an admin exports it');
    const items = this.humanSet(input.datasetIds, input.name);
    const safe = input.name.replace(/[^A-Za-z0-9._-]+/g, '-');
    return { filename: `${safe}.json`, mimeType: 'application/json', content: `${JSON.stringify(items, null, 2)}\n`, count: items.length };
  }
}
