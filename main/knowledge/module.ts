/** The knowledge domain: Orphanet facts (kb_* tables), their import job and the knowledge.* Api. */
import { defineModule } from '../platform/module.js';
import { demoPacketsDir } from './demo.js';
import { knowledgeHandlers, type KnowledgeMethod } from './handlers.js';
import { importOrphanet } from './importer.js';
import { importJobHandler } from './importJob.js';
import * as m002 from './migrations/002_knowledge.js';
import * as m003 from './migrations/003_knowledge_hpo.js';
import { KnowledgeService } from './service.js';

export interface KnowledgeExports {
  service: KnowledgeService;
  /** Loads the bundled demo set when the knowledge base is empty; returns whether it did. */
  seedDemoIfEmpty(): Promise<boolean>;
}

export const knowledgeModule = defineModule<KnowledgeMethod, KnowledgeExports>({
  name: 'knowledge',
  migrations: [
    { name: '002_knowledge', sql: m002.sql },
    { name: '003_knowledge_hpo', sql: m003.sql },
  ],
  setup(ctx) {
    const service = new KnowledgeService(ctx.db);
    const changed = () => {
      service.invalidate();
      // Rebuild the in-memory search data now, so the first search after an import is as fast as any other.
      service.warm();
      ctx.emit({ type: 'knowledge.changed' });
    };
    ctx.jobs.register(importJobHandler({ db: ctx.db, dbPath: ctx.dbPath, onImported: changed }));
    return {
      handlers: knowledgeHandlers(service, ctx.jobs),
      exports: {
        service,
        async seedDemoIfEmpty() {
          if (!service.isEmpty()) return false;
          await importOrphanet(ctx.db, demoPacketsDir(), { demo: true });
          changed();
          return true;
        },
      },
    };
  },
});
