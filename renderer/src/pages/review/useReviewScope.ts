import { useCallback, useEffect, useMemo, useState } from 'react';
import type { QueueFilterInput, QueueOrder, ReviewSession } from '../../../../api/review.js';
import type { DatasetSummary } from '../../../../api/synthesis.js';
import { useApi } from '../../api/ApiContext.js';
import { errorMessage } from '../../api/clientError.js';
import { useDebounced } from '../knowledge/useDebounced.js';
import { initialFilters, type Filters } from './QueueToolbar.js';

const profileKey = 'medssr.review.reviewerId';

function storedProfile(): number | undefined {
  const v = Number(localStorage.getItem(profileKey));
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

export type Notify = (text: string, severity: 'success' | 'error' | 'info') => void;

/** Who reviews (session and local profile) and in which datasets; loaded when the page becomes active. */
export function useReviewSession(active: boolean, notify: Notify) {
  const api = useApi();
  const [datasets, setDatasets] = useState<DatasetSummary[] | null>(null);
  const [datasetIds, setDatasetIds] = useState<number[]>([]);
  const [session, setSession] = useState<ReviewSession | null>(null);
  const [reviewerId, setReviewerId] = useState<number | undefined>(storedProfile);

  const loadSession = useCallback(() => {
    api.call('review.session', { reviewerId: storedProfile() }).then(setSession, (e: unknown) => {
      // A stored profile that no longer exists falls back to the default one.
      if (storedProfile() !== undefined) {
        localStorage.removeItem(profileKey);
        setReviewerId(undefined);
        api.call('review.session', {}).then(setSession, (err: unknown) => notify(errorMessage(err), 'error'));
      } else notify(errorMessage(e), 'error');
    });
  }, [api, notify]);

  useEffect(() => {
    if (!active) return;
    loadSession();
    api.call('synthesis.datasets', {}).then(
      (list) => {
        setDatasets(list);
        setDatasetIds((cur) => (cur.length ? cur.filter((id) => list.some((d) => d.id === id)) : list.map((d) => d.id)));
      },
      (e: unknown) => notify(errorMessage(e), 'error'),
    );
  }, [api, active, loadSession, notify]);

  const onProfile = useCallback(
    (id: number) => {
      localStorage.setItem(profileKey, String(id));
      setReviewerId(id);
      api.call('review.session', { reviewerId: id }).then(setSession, () => undefined);
    },
    [api],
  );

  const actingId = session?.authenticated ? undefined : reviewerId;
  return { datasets, datasetIds, setDatasetIds, session, loadSession, onProfile, actingId, isAdmin: session?.reviewer.role === 'admin' };
}

/** The queue's filters, order and search, as the Api filter and as a sentence for the bulk confirmation. */
export function useQueueFilter(datasetIds: number[]) {
  const [filters, setFilters] = useState<Filters>(initialFilters);
  const [order, setOrder] = useState<QueueOrder>('uncertainty');
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText.trim(), 200);

  const filter = useMemo<QueueFilterInput | null>(() => {
    if (datasetIds.length === 0) return null;
    return {
      datasetIds,
      ...(filters.statuses.length ? { statuses: filters.statuses } : {}),
      ...(filters.share[0] > 0 ? { voteShareMin: filters.share[0] } : {}),
      ...(filters.share[1] < 1 ? { voteShareMax: filters.share[1] } : {}),
      ...(filters.disagreement !== 'any' ? { disagreement: filters.disagreement === 'yes' } : {}),
      ...(filters.tiesOnly ? { tie: true } : {}),
      ...(filters.questionTypes.length ? { questionTypes: filters.questionTypes } : {}),
      ...(filters.difficulties.length ? { difficulties: filters.difficulties } : {}),
      ...(/^\d+$/.test(filters.orphaCode) ? { orphaCode: filters.orphaCode } : {}),
      ...(/^\d+$/.test(filters.branch) ? { branch: filters.branch } : {}),
      ...(filters.decidedBy !== '' ? { decidedBy: filters.decidedBy } : {}),
      ...(search ? { search } : {}),
    };
  }, [datasetIds, filters, search]);

  const describe = [
    filters.statuses.length ? `status ${filters.statuses.join(', ')}` : 'every status',
    filters.orphaCode ? `built from ORPHA:${filters.orphaCode}` : '',
    filters.branch ? `branch ORPHA:${filters.branch}` : '',
    filters.share[0] > 0 || filters.share[1] < 1 ? `vote share ${filters.share[0]}–${filters.share[1]}` : '',
    filters.disagreement !== 'any' ? `model ${filters.disagreement === 'yes' ? 'disagrees' : 'agrees'} with intended` : '',
    filters.tiesOnly ? 'ties' : '',
    filters.questionTypes.length ? filters.questionTypes.join(', ') : '',
    filters.difficulties.length ? filters.difficulties.join(', ') : '',
    search ? `matching “${search}”` : '',
  ]
    .filter(Boolean)
    .join(' · ');

  return { filters, setFilters, order, setOrder, searchText, setSearchText, filter, describe };
}
