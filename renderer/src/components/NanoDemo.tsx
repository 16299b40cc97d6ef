/**
 * The nano demo model where the demo flow uses it (Training page's quick CPU demo, Evaluation page's example):
 * the first built nano model, and the example's question files on demand. Without one, the note says plainly
 * what a model that never writes "The answer is" (stories260K) shows: the loop, not learning.
 */
import SchoolOutlinedIcon from '@mui/icons-material/SchoolOutlined';
import { Alert, Button, Typography } from '@mui/material';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { DemoExample, DemoModelStatus } from '../../../api/demoModel.js';
import { useApi } from '../api/ApiContext.js';
import { errorMessage } from '../api/clientError.js';
import { useAppState } from '../state/AppState.js';

export interface NanoDemo {
  /** The first built nano model with a card; null when none (or not known yet). */
  model: { path: string; name: string; steps: number; parameters: number } | null;
  /** Whether demoModel.status has answered (false while waiting and when it failed). */
  known: boolean;
  /** Whether it answered or failed: what to wait for before picking a default model. */
  settled: boolean;
  /** Writes (or reuses) the example's files and returns them. */
  example(): Promise<DemoExample>;
}

export function useNanoDemo(): NanoDemo {
  const api = useApi();
  const [status, setStatus] = useState<DemoModelStatus | null>(null);
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    // A status that cannot be read (a reviewer's session may not ask for it) shows no note rather than "none built".
    api.call('demoModel.status', {}).then(setStatus, () => setStatus(null)).finally(() => setSettled(true));
  }, [api]);
  const first = status?.models.find((m) => m.card) ?? null;
  const path = first?.path;
  const example = useCallback(() => api.call('demoModel.example', path ? { model: path } : {}), [api, path]);
  return {
    known: status !== null,
    settled,
    model: first?.card ? { path: first.path, name: first.card.model.replace(/\.gguf$/i, ''), steps: first.card.steps, parameters: first.card.parameters } : null,
    example,
  };
}

/** What the nano model does and does not show, in one sentence (the first measurement: accuracy near chance). */
export const nanoCaveat = 'It knows little medicine: in our first measurement its accuracy stayed near chance (25 %) before and after training.';

/** The note shown where the demo would use the nano model: what is used, or why the demo will stay flat. */
export function NanoDemoNote({
  demo,
  testId,
  present,
  absent,
  action,
}: {
  demo: NanoDemo;
  testId: string;
  /** Text when a nano model exists. */
  present: (m: NonNullable<NanoDemo['model']>) => ReactNode;
  /** Text when none exists. */
  absent: ReactNode;
  /** Button label and handler when a nano model exists and is not in use yet. */
  action?: { label: string; run(example: DemoExample): void | Promise<void> } | null;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { readOnly } = useAppState();
  if (!demo.known) return null;
  const m = demo.model;
  // A read-only folder can neither build a nano model nor write the example's files (the banner says why).
  if (readOnly && !m) return null;
  return (
    <Alert
      severity={m ? 'success' : 'info'}
      variant="outlined"
      icon={<SchoolOutlinedIcon />}
      data-testid={testId}
      data-nano={m ? 'present' : 'absent'}
      sx={{ alignItems: 'center' }}
      action={
        m && action ? (
          <Button
            size="small"
            variant="contained"
            disabled={busy || readOnly}
            data-testid={`${testId}-use`}
            sx={{ whiteSpace: 'nowrap' }}
            onClick={() => {
              setBusy(true);
              setError(null);
              void demo
                .example()
                .then((ex) => action.run(ex))
                .catch((err: unknown) => setError(errorMessage(err)))
                .finally(() => setBusy(false));
            }}
          >
            {action.label}
          </Button>
        ) : null
      }
    >
      <Typography variant="body2">{m ? present(m) : absent}</Typography>
      {error && (
        <Typography variant="body2" color="error">
          {error}
        </Typography>
      )}
    </Alert>
  );
}
