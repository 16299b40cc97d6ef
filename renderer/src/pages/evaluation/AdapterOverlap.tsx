import { Box, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { TrainingOverlap } from '../../../../api/decontamination.js';
import { useApi } from '../../api/ApiContext.js';
import { errorMessage } from '../../api/clientError.js';
import { OverlapReport } from '../../components/OverlapReport.js';

/**
 * Whether the benchmarks an adapter is (or was) evaluated on overlap what its training run trained on. Silent
 * without an adapter; says so when the adapter was not trained here (its data is unknown, not clean).
 */
export function AdapterOverlap({ adapterPath, benchmarkIds, label, testId = 'eval-adapter-overlap' }: { adapterPath: string; benchmarkIds: readonly number[]; label: string; testId?: string }) {
  const api = useApi();
  const path = adapterPath.trim();
  const key = `${path}|${benchmarkIds.join(',')}`;
  const [state, setState] = useState<{ key: string; report: TrainingOverlap | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!path || benchmarkIds.length === 0) return;
    let live = true;
    // Typing a path asks once it rests.
    const timer = setTimeout(() => {
      setState({ key, report: null, error: null });
      api.call('evaluation.trainingOverlap', { adapterPath: path, benchmarkIds: [...benchmarkIds] }).then(
        (report) => live && setState({ key, report, error: null }),
        (err: unknown) => live && setState({ key, report: null, error: errorMessage(err) }),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // `key` stands for the path and the ids.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);
  if (!path || benchmarkIds.length === 0 || state?.key !== key) return null;
  if (state.report && state.report.run === null) {
    return (
      <Typography variant="caption" color="text.secondary" component="div" data-testid={testId} data-state="unknown-run">
        {label}: the adapter was not trained by a run here, so its training data is unknown; overlap with the benchmarks not checked.
      </Typography>
    );
  }
  return (
    <Box data-testid={testId}>
      <OverlapReport
        summary={state.report}
        error={state.error}
        subject={`${label}: the training data of run "${state.report?.run?.name ?? '…'}"${state.report?.matchedBy === 'content' ? ' (a copy of its adapter, same sha256)' : ''}`}
        consequence="its scores there measure memory as well as skill."
        testId={`${testId}-report`}
      />
    </Box>
  );
}
