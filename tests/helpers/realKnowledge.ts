/**
 * The real Orphanet release from ../shared, imported once by the knowledge importer into a database file under
 * the OS temp folder and reused by later tests (keyed by the migration list, so a schema change rebuilds it).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../main/platform/db/open.js';
import { openAppDatabase } from '../../main/app/index.js';
import { migrations } from '../../main/app/index.js';
import { importOrphanet } from '../../main/knowledge/importer.js';
import { KnowledgeService } from '../../main/knowledge/service.js';
import type { DisorderDetail } from '../../api/knowledge.js';
import { needShared, sharedPath } from './shared.js';

export const PACKETS = ['data', 'orphapacket', 'json'] as const;

export function realKnowledgeSkip(): string | undefined {
  return needShared(...PACKETS);
}

/** Path of a migrated database holding the full real release (built on first use). */
export async function realKnowledgeDbFile(): Promise<string> {
  const key = createHash('sha256').update(migrations.map((m) => m.name + m.sql).join('\n')).digest('hex').slice(0, 12);
  const file = path.join(os.tmpdir(), `medssr-test-kb-${key}.db`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const db = openAppDatabase(tmp);
  try {
    await importOrphanet(db, sharedPath(...PACKETS));
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  renameSync(tmp, file);
  return file;
}

/** A private copy of the real database (tests that write to it must not touch the shared one). */
export async function realKnowledgeDbCopy(dir: string): Promise<string> {
  const target = path.join(dir, 'medssr.db');
  copyFileSync(await realKnowledgeDbFile(), target);
  return target;
}

export async function realDisorderFacts(): Promise<DisorderDetail[]> {
  const db = openDatabase(await realKnowledgeDbFile(), { readonly: true });
  try {
    return new KnowledgeService(db).listDisorderFacts();
  } finally {
    db.close();
  }
}
