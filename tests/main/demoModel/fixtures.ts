/** The bundled demo knowledge base, loaded once per test file into an in-memory database. */
import type { DisorderDetail } from '../../../api/knowledge.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { demoPacketsDir } from '../../../main/knowledge/demo.js';
import { importOrphanet } from '../../../main/knowledge/importer.js';
import { KnowledgeService } from '../../../main/knowledge/service.js';
import type { Db } from '../../../main/platform/db/open.js';

export async function demoKnowledge(): Promise<{ db: Db; knowledge: KnowledgeService; disorders: DisorderDetail[] }> {
  const db = openAppDatabase(':memory:');
  await importOrphanet(db, demoPacketsDir(), { demo: true });
  const knowledge = new KnowledgeService(db);
  return { db, knowledge, disorders: knowledge.listDisorderFacts() };
}
