import { Autocomplete, Box, TextField, Typography, type SxProps, type Theme } from '@mui/material';
import { useEffect, useState } from 'react';
import type { ModelInfo } from '../../../api/synthesis.js';
import { useApi } from '../api/ApiContext.js';

/** The registered models; listed again whenever `refresh` changes (e.g. after something registered one). */
export function useRegisteredModels(refresh?: unknown): ModelInfo[] {
  const api = useApi();
  const [models, setModels] = useState<ModelInfo[]>([]);
  useEffect(() => {
    api.call('models.list', {}).then(setModels, () => setModels([]));
  }, [api, refresh]);
  return models;
}

/**
 * A GGUF path typed freely or picked from the registered models, each listed with its name, path and context
 * size. A typed path that is not registered says so under the field (it is still checked when the job starts).
 */
export function ModelPathField({
  value,
  onChange,
  testId,
  fullWidth,
  sx,
  models: given,
}: {
  value: string;
  onChange(path: string): void;
  testId?: string;
  fullWidth?: boolean;
  sx?: SxProps<Theme>;
  models?: ModelInfo[];
}) {
  const loaded = useRegisteredModels();
  const models = given ?? loaded;
  const known = models.find((m) => m.path === value.trim());
  const helper = !value.trim()
    ? models.length
      ? `${models.length} registered model${models.length === 1 ? '' : 's'}: pick one or type a path`
      : 'No model registered yet (Models page): type the path of a GGUF file'
    : known
      ? `${known.name}${known.contextLength ? ` · context ${known.contextLength.toLocaleString()} tokens` : ''}`
      : 'Not a registered model: the file is checked when the job starts';
  return (
    <Autocomplete
      freeSolo
      fullWidth={fullWidth}
      size="small"
      options={models.map((m) => m.path)}
      inputValue={value}
      onInputChange={(_, v) => onChange(v)}
      sx={sx}
      renderOption={(props, option) => {
        const m = models.find((x) => x.path === option);
        const { key, ...rest } = props as typeof props & { key: string };
        return (
          <Box component="li" key={key} {...rest} sx={{ display: 'block !important' }}>
            <Typography variant="body2">{m?.name ?? option}</Typography>
            <Typography variant="caption" color="text.secondary" sx={{ wordBreak: 'break-all' }}>
              {option}
              {m?.contextLength ? ` · context ${m.contextLength.toLocaleString()}` : ''}
            </Typography>
          </Box>
        );
      }}
      renderInput={(params) => (
        <TextField
          {...params}
          label="Model (GGUF path)"
          helperText={helper}
          slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, ...(testId ? { 'data-testid': testId } : {}) } }}
        />
      )}
    />
  );
}
