import { Autocomplete, Box, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { AdapterRecord } from '../../../api/training.js';
import { useApi } from '../api/ApiContext.js';

/**
 * A LoRA adapter path typed freely or picked from the adapters training produced, each with its run, step and
 * file. Adapters trained on another base model are listed last and flagged; picking one warns before the start.
 */
export function AdapterPathField({ value, onChange, modelPath, testId }: { value: string; onChange(path: string): void; modelPath: string; testId?: string }) {
  const api = useApi();
  const [adapters, setAdapters] = useState<AdapterRecord[]>([]);
  useEffect(() => {
    api.call('training.adapters', {}).then(setAdapters, () => setAdapters([]));
  }, [api]);
  const base = modelPath.trim();
  const sameBase = (a: AdapterRecord) => !base || a.modelPath === base;
  const sorted = [...adapters.filter(sameBase), ...adapters.filter((a) => !sameBase(a))];
  const picked = adapters.find((a) => a.path === value.trim());
  const helper = !value.trim()
    ? adapters.length
      ? `${adapters.filter(sameBase).length} trained adapter(s) for this model; optional`
      : 'Optional: no adapter trained yet'
    : picked
      ? !sameBase(picked)
        ? `Trained on ${picked.modelPath.split(/[\\/]/).pop()}, not on this model: the job will refuse or mislead`
        : `Run #${picked.runId} ${picked.runName}, step ${picked.step}${picked.learning.none ? ' · trained without a learning signal' : ''}`
      : 'Not an adapter from a training run: the file is checked when the job starts';
  const warn = picked !== undefined && (!sameBase(picked) || picked.learning.none);
  return (
    <Autocomplete
      freeSolo
      fullWidth
      size="small"
      options={sorted.map((a) => a.path)}
      inputValue={value}
      onInputChange={(_, v) => onChange(v)}
      renderOption={(props, option) => {
        const a = adapters.find((x) => x.path === option);
        const { key, ...rest } = props as typeof props & { key: string };
        return (
          <Box component="li" key={key} {...rest} sx={{ display: 'block !important' }}>
            <Typography variant="body2">
              {a ? `#${a.runId} ${a.runName} · step ${a.step} (${a.kind})` : option}
              {a && !sameBase(a) ? ' · other base model' : ''}
              {a?.learning.none ? ' · no learning signal' : ''}
            </Typography>
            <Typography variant="caption" color="text.secondary" sx={{ wordBreak: 'break-all' }}>
              {option}
            </Typography>
          </Box>
        );
      }}
      renderInput={(params) => (
        <TextField
          {...params}
          label="LoRA adapter (optional)"
          helperText={helper}
          slotProps={{
            ...params.slotProps,
            htmlInput: { ...params.slotProps.htmlInput, ...(testId ? { 'data-testid': testId } : {}) },
            formHelperText: { sx: warn ? { color: 'warning.dark' } : {}, ...({ 'data-testid': 'adapter-helper' } as object) },
          }}
        />
      )}
    />
  );
}
