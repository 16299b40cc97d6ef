import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AppInfo } from '../../../api/contract.js';
import type { KnowledgeStats } from '../../../api/knowledge.js';
import { useApi, useApiEvents } from '../api/ApiContext.js';

interface AppStateValue {
  info: AppInfo | null;
  /** The data folder is served read-only: write actions are disabled and say why (see ReadOnlyBanner). */
  readOnly: boolean;
  stats: KnowledgeStats | null;
  /** Bumped whenever the knowledge base changes (an import finished); pages refetch on it. */
  knowledgeVersion: number;
  importOpen: boolean;
  openImport(): void;
  closeImport(): void;
}

const AppStateContext = createContext<AppStateValue | null>(null);

export function AppStateProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [stats, setStats] = useState<KnowledgeStats | null>(null);
  const [knowledgeVersion, setKnowledgeVersion] = useState(0);
  const [importOpen, setImportOpen] = useState(false);
  const finishedImports = useRef(new Set<string>());

  useEffect(() => {
    api.call('app.info', {}).then(setInfo, () => undefined);
  }, [api]);
  useEffect(() => {
    api.call('knowledge.stats', {}).then(setStats, () => undefined);
  }, [api, knowledgeVersion]);

  const bump = useCallback(() => setKnowledgeVersion((v) => v + 1), []);
  useApiEvents((event) => {
    if (event.type === 'knowledge.changed') bump();
    // A finished import changes the knowledge base even if its own change event was missed.
    if (event.type === 'job' && event.job.kind === 'import-orphanet' && event.job.state === 'completed' && !finishedImports.current.has(event.job.id)) {
      finishedImports.current.add(event.job.id);
      bump();
    }
  });

  const value = useMemo<AppStateValue>(
    () => ({
      info,
      readOnly: info?.readOnly === true,
      stats,
      knowledgeVersion,
      importOpen,
      openImport: () => setImportOpen(true),
      closeImport: () => setImportOpen(false),
    }),
    [info, stats, knowledgeVersion, importOpen],
  );
  return <AppStateContext.Provider value={value}>{children}</AppStateContext.Provider>;
}

export function useAppState(): AppStateValue {
  const value = useContext(AppStateContext);
  if (!value) throw new Error('useAppState outside AppStateProvider');
  return value;
}
