/** The labeling domain: pseudo-labelling runs (lab_* tables), the label job and labeling.start. */
import { ApiError, withApiError } from '../../api/contract.js';
import { defineModule } from '../platform/module.js';
import { checkReadablePath } from '../platform/safePath.js';
import { SynthesisRepo, type PseudoLabelLookup } from '../synthesis/index.js';
import { labelJobHandler } from './labelJob.js';
import * as m010 from './migrations/010_synthesis.js';
import * as m045 from './migrations/045_labeling_written_votes.js';
import { exportMedssr } from './export.js';
import { LabelingRepo } from './store.js';

export type LabelingMethod = 'labeling.start' | 'labeling.exportMedssr';

export interface LabelingExports {
  store: LabelingRepo;
  /** For synthesis.questions, which shows each question's latest pseudo-label. */
  pseudoLabels: PseudoLabelLookup;
}

export const labelingModule = defineModule<LabelingMethod, LabelingExports>({
  name: 'labeling',
  migrations: [
    { name: '010_synthesis', part: 'labeling', sql: m010.sql },
    // Released as is, so never edited: it also reads syn_questions and clears rev_synced. A new step keeps to lab_
    // tables (tests/main/app/migrationPrefixes.test.ts); what another domain must redo goes through its index.
    { name: '045_labeling_written_votes', sql: m045.sql },
  ],
  setup(ctx) {
    ctx.jobs.register(labelJobHandler({ db: ctx.db }));
    const store = new LabelingRepo(ctx.db);
    const synth = new SynthesisRepo(ctx.db);
    return {
      exports: {
        store,
        pseudoLabels: {
          latestLabels: (datasetId, seqs) => store.latestLabels(datasetId, true, seqs),
          labelledCount: (datasetId) => store.labelledCount(datasetId),
        },
      },
      handlers: {
        'labeling.start': (input) => {
          if (!synth.find(input.dataset, input.version)) throw new ApiError('not-found', `No complete dataset named "${input.dataset}"${input.version ? ` with version ${input.version}` : ''}`);
          withApiError('bad-input', () => {
            checkReadablePath(input.modelPath, 'Model file');
            if (input.adapterPath) checkReadablePath(input.adapterPath, 'Adapter file');
          });
          return { jobId: ctx.jobs.start('label', input).id };
        },
        'labeling.exportMedssr': ({ dataset, version }) => withApiError('not-found', () => exportMedssr(ctx.db, dataset, version)),
      },
    };
  },
});
