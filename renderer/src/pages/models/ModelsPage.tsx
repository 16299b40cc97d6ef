import AddIcon from '@mui/icons-material/Add';
import CloudDownloadIcon from '@mui/icons-material/CloudDownloadOutlined';
import DeleteOutlineIcon from '@mui/icons-material/DeleteOutlined';
import MemoryIcon from '@mui/icons-material/Memory';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Chip,
  CircularProgress,
  FormControlLabel,
  IconButton,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import type { ModelFit, ModelInfo } from '../../../../api/synthesis.js';
import type { RunSummary } from '../../../../api/training.js';
import { useApi, useApiEvents } from '../../api/ApiContext.js';
import { errorMessage } from '../../api/clientError.js';
import { PanelSection } from '../../components/PanelSection.js';
import { AdaptersPanel } from '../training/AdaptersPanel.js';
import { DownloadModelDialog } from './DownloadModelDialog.js';
import { useAppState } from '../../state/AppState.js';

function size(bytes: number): string {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(2)} GiB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

function params(n: number | null): string {
  if (n === null) return '—';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  return `${(n / 1e3).toFixed(0)} K`;
}

/**
 * GGUF models the app uses: add by path (referenced or copied) or download, header metadata, where each would
 * run, and the adapters training produced (the Training page's panel).
 */
const wideOnly = { display: { xs: 'none', lg: 'table-cell' } } as const;

export function ModelsPage() {
  const { readOnly } = useAppState();
  const api = useApi();
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [path, setPath] = useState('');
  const [copy, setCopy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fits, setFits] = useState<Record<string, ModelFit | string | 'checking'>>({});
  const [downloading, setDownloading] = useState(false);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  // Bumped when a training run or a merge may have changed the adapters.
  const [adaptersVersion, setAdaptersVersion] = useState(0);

  const refresh = useCallback(async () => setModels(await api.call('models.list', {})), [api]);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  useEffect(() => {
    void api.call('training.runs', {}).then(setRuns, () => setRuns([]));
  }, [api, adaptersVersion]);
  useApiEvents((e) => {
    if (e.type === 'job' && e.job.kind === 'train' && e.job.state !== 'running' && e.job.state !== 'queued') setAdaptersVersion((v) => v + 1);
  });

  const add = async () => {
    setError(null);
    try {
      await api.call('models.add', { path: path.trim(), copy });
      setPath('');
      await refresh();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const checkFit = async (id: string) => {
    // Reading the GPU state and the model's layout takes seconds on first use: say that it is happening.
    setFits((f) => ({ ...f, [id]: 'checking' }));
    try {
      const fit = await api.call('models.fit', { id });
      setFits((f) => ({ ...f, [id]: fit }));
    } catch (err) {
      setFits((f) => ({ ...f, [id]: errorMessage(err) }));
    }
  };

  return (
    <Box sx={{ height: '100%', overflowY: 'auto', p: 3 }} data-testid="models-page">
      <Box sx={{ maxWidth: 1280 }}>
        <Paper variant="outlined" sx={{ p: 2, mb: 2 }}>
          <Typography variant="subtitle1" sx={{ fontWeight: 600, mb: 1 }}>
            Add a GGUF model
          </Typography>
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
            <TextField label="Path to a .gguf file" size="small" value={path} onChange={(e) => setPath(e.target.value)} sx={{ flex: 1, maxWidth: 640 }} slotProps={{ htmlInput: { 'data-testid': 'model-path' } }} />
            <FormControlLabel control={<Checkbox checked={copy} onChange={(e) => setCopy(e.target.checked)} />} label="Copy into the data folder" />
            <Button variant="contained" startIcon={<AddIcon />} disabled={readOnly || !path.trim()} onClick={() => void add()} data-testid="model-add">
              Add
            </Button>
            <Button variant="outlined" startIcon={<CloudDownloadIcon />} onClick={() => setDownloading(true)} data-testid="model-download">
              Download…
            </Button>
          </Stack>
          {error && (
            <Alert severity="error" sx={{ mt: 1 }} data-testid="model-error">
              {error}
            </Alert>
          )}
        </Paper>
        <Paper variant="outlined" sx={{ p: 2 }}>
          <Typography variant="subtitle1" sx={{ fontWeight: 600, mb: 1 }}>
            Registered models
          </Typography>
          {models.length === 0 ? (
            <Typography color="text.secondary">No model yet. Synthesis works without one (templates); labelling, training and evaluation need one.</Typography>
          ) : (
            // The table scrolls inside its card at 1024 px; before, the whole page scrolled sideways under the sidebar.
            <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" data-testid="models-table">
              <TableHead>
                <TableRow>
                  <TableCell>Name</TableCell>
                  <TableCell sx={wideOnly}>Architecture</TableCell>
                  <TableCell>Parameters</TableCell>
                  <TableCell sx={wideOnly}>Quantization</TableCell>
                  <TableCell sx={wideOnly}>Context</TableCell>
                  <TableCell>Chat template</TableCell>
                  <TableCell>Size</TableCell>
                  <TableCell>Runs on</TableCell>
                  <TableCell />
                </TableRow>
              </TableHead>
              <TableBody>
                {models.map((m) => {
                  const fit = fits[m.id];
                  return (
                    <TableRow key={m.id} data-testid="model-row">
                      <TableCell sx={{ minWidth: 170, maxWidth: 260 }}>
                        <Typography variant="body2">{m.name}</Typography>
                        <Typography variant="caption" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
                          {m.path}
                          {m.copied ? ' (copy)' : ''}
                        </Typography>
                        {/* Below 1200 px these three columns fold into the name cell, so Size and Runs on stay in view. */}
                        <Typography variant="caption" color="text.secondary" component="div" sx={{ display: { xs: 'block', lg: 'none' } }} aria-hidden>
                          {[m.architecture, m.quantization, m.contextLength ? `context ${m.contextLength}` : null].filter(Boolean).join(' · ')}
                        </Typography>
                      </TableCell>
                      <TableCell sx={wideOnly}>{m.architecture ?? '—'}</TableCell>
                      <TableCell>{params(m.parameters)}</TableCell>
                      <TableCell sx={wideOnly}>{m.quantization ?? '—'}</TableCell>
                      <TableCell sx={wideOnly}>{m.contextLength ?? '—'}</TableCell>
                      <TableCell>{m.chatTemplate ? <Chip size="small" label="yes" /> : 'none (base prompt)'}</TableCell>
                      <TableCell>{size(m.sizeBytes)}</TableCell>
                      <TableCell data-testid="model-fit">
                        {fit === undefined ? (
                          <Button size="small" startIcon={<MemoryIcon />} onClick={() => void checkFit(m.id)}>
                            Check
                          </Button>
                        ) : fit === 'checking' ? (
                          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }} data-testid="model-fit-checking">
                            <CircularProgress size={14} aria-label="Checking" />
                            <Typography variant="caption">Checking…</Typography>
                          </Stack>
                        ) : typeof fit === 'string' ? (
                          fit
                        ) : (
                          <Tooltip title={fit.note}>
                            <span>{fit.runsOn === 'gpu' ? `GPU (${fit.gpu}${fit.fitsGpu ? ', all layers' : `, ${fit.gpuLayers} layers`})` : fit.gpu ? 'CPU (does not fit the GPU)' : 'CPU only — no GPU detected'}</span>
                          </Tooltip>
                        )}
                      </TableCell>
                      <TableCell>
                        <IconButton
                          aria-label={`Remove ${m.name}`}
                          onClick={() => void api.call('models.remove', { id: m.id }).then(refresh, (err: unknown) => setError(errorMessage(err)))}
                        >
                          <DeleteOutlineIcon fontSize="small" />
                        </IconButton>
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
            </Box>
          )}
        </Paper>
        <Box sx={{ mt: 2 }}>
          <PanelSection title="Adapters from training runs" testId="models-adapters">
            <AdaptersPanel runs={runs} version={adaptersVersion + models.length} />
          </PanelSection>
        </Box>
      </Box>
      <DownloadModelDialog open={downloading} onClose={() => setDownloading(false)} onDownloaded={refresh} />
    </Box>
  );
}
