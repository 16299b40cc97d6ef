import UploadFileOutlinedIcon from '@mui/icons-material/UploadFileOutlined';
import { Alert, Box, Button, Checkbox, FormControlLabel, Stack, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import type { BenchmarkSummary } from '../../../../api/evaluation.js';
import { useApi } from '../../api/ApiContext.js';
import { errorMessage } from '../../api/clientError.js';
import { useAppState } from '../../state/AppState.js';

/** Benchmark files are named by path (the server reads them); the import is quick, so no job is needed. */
export function BenchmarkPanel({
  benchmarks,
  selected,
  onToggle,
  onImported,
}: {
  benchmarks: BenchmarkSummary[];
  selected: ReadonlySet<number>;
  onToggle(id: number): void;
  onImported(ids: number[]): void;
}) {
  const { readOnly } = useAppState();
  const api = useApi();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const r = await api.call('evaluation.import', { path: path.trim() });
      setNote(
        r.sets.map((s) => `${s.name} v${s.version}: ${s.questions.toLocaleString()} questions${s.created ? '' : ' (already imported)'}`).join(' · ') +
          (r.warnings.length ? ` — ${r.warnings.length} note(s), e.g. ${r.warnings[0]}` : ''),
      );
      onImported(r.sets.map((s) => s.id));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  // Only the latest version of each set name is offered for new runs.
  const latest = [...benchmarks.reduce((m, b) => (m.get(b.name)?.version ?? 0) < b.version ? m.set(b.name, b) : m, new Map<string, BenchmarkSummary>()).values()];
  return (
    <Box>
      <Stack component="form" direction="row" spacing={1} onSubmit={submit} sx={{ alignItems: 'flex-start' }}>
        <TextField
          size="small"
          fullWidth
          label="Benchmark file (MedSSR JSON)"
          placeholder="/path/to/test_short_medqa.json"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          slotProps={{ htmlInput: { 'data-testid': 'benchmark-path' } }}
        />
        <Button type="submit" variant="outlined" startIcon={<UploadFileOutlinedIcon />} disabled={busy || readOnly || !path.trim()} data-testid="benchmark-import" sx={{ flexShrink: 0 }}>
          Import
        </Button>
      </Stack>
      {error && (
        <Alert severity="error" sx={{ mt: 1, whiteSpace: 'pre-wrap' }} data-testid="benchmark-error">
          {error}
        </Alert>
      )}
      {note && (
        <Alert severity="success" sx={{ mt: 1 }} data-testid="benchmark-imported">
          {note}
        </Alert>
      )}
      <Box sx={{ mt: 1 }} data-testid="benchmark-list">
        {latest.length === 0 && (
          <Typography variant="body2" color="text.secondary">
            No benchmark sets yet. Import MedQA, MedMCQA, MMLU, BioASQ, PubMedQA or MedBullets files (test_short_*.json) or any file of that shape.
          </Typography>
        )}
        {latest.map((b) => (
          <FormControlLabel
            key={b.id}
            control={<Checkbox size="small" checked={selected.has(b.id)} onChange={() => onToggle(b.id)} slotProps={{ input: { 'aria-label': b.name } }} />}
            label={
              <Typography variant="body2">
                {b.name} <Typography component="span" variant="caption" color="text.secondary">v{b.version} · {b.questions.toLocaleString()} q · {b.letters.join('')}</Typography>
              </Typography>
            }
            data-testid="benchmark-item"
            sx={{ mr: 2 }}
          />
        ))}
      </Box>
    </Box>
  );
}
