import { Alert, Button, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Tooltip, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { EvalRunSummary } from '../../../../api/evaluation.js';
import type { AdapterRecord, RunSummary } from '../../../../api/training.js';
import { useApi } from '../../api/ApiContext.js';

/** Adapters the runs produced, with their run, data and quick-eval score; export one as GGUF or a run for verl. */
export function AdaptersPanel({ runs, version }: { runs: RunSummary[]; version: number }) {
  const api = useApi();
  const [adapters, setAdapters] = useState<AdapterRecord[]>([]);
  const [evalRuns, setEvalRuns] = useState<EvalRunSummary[]>([]);
  const [target, setTarget] = useState('');
  // The verl cluster's shape goes into its configs (trainer.n_gpus_per_node, rollout tensor parallelism).
  const [gpus, setGpus] = useState(1);
  const [tp, setTp] = useState(1);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    void api.call('training.adapters', {}).then(setAdapters);
    void api.call('evaluation.runs', {}).then(setEvalRuns, () => setEvalRuns([]));
  }, [api, version]);

  /** Benchmark results of evaluation runs that used this adapter file (Evaluation page). */
  const benchmarks = (a: AdapterRecord): string =>
    evalRuns
      .filter((r) => r.adapterPath === a.path && r.state === 'completed')
      .flatMap((r) => r.results.map((x) => `${x.name} ${x.accuracyMean.toFixed(1)}%`))
      .join(', ') || '–';

  const act = async (fn: () => Promise<string>) => {
    setMessage(null);
    try {
      setMessage({ ok: true, text: await fn() });
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <Stack spacing={1} data-testid="training-adapters">
      <TextField
        size="small"
        label="Export to (folder or .gguf path on the machine running the app)"
        value={target}
        onChange={(e) => setTarget(e.target.value)}
        helperText={target ? ' ' : 'The export, merge and verl buttons need this path first.'}
        data-testid="adapter-export-target"
      />
      {message && <Alert severity={message.ok ? 'success' : 'error'}>{message.text}</Alert>}
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Run</TableCell>
            <TableCell>Step</TableCell>
            <TableCell>Kind and file</TableCell>
            <TableCell>Base model</TableCell>
            <TableCell>Data</TableCell>
            <TableCell align="right">Quick eval</TableCell>
            <TableCell>Benchmarks</TableCell>
            <TableCell align="right">Size</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {adapters.map((a) => (
            <TableRow key={a.id}>
              <TableCell>
                #{a.runId} {a.runName}
              </TableCell>
              <TableCell>
                {a.step} (stage {a.stage})
              </TableCell>
              <TableCell>
                {a.kind}
                {a.learning.none && (
                  <Tooltip title={`Trained without a learning signal: ${a.learning.reason ?? ''}`}>
                    <Chip size="small" color="warning" variant="outlined" label="no learning signal" sx={{ ml: 0.5 }} data-testid="adapter-no-signal" />
                  </Tooltip>
                )}
                <Typography variant="caption" color="text.secondary" component="div" sx={{ wordBreak: 'break-all' }} data-testid="adapter-path">
                  {a.path}
                </Typography>
              </TableCell>
              <TableCell>{a.modelPath.split(/[\\/]/).pop()}</TableCell>
              <TableCell>{[...(a.data.stage1?.sources ?? []), ...(a.data.stage2?.sources ?? [])].join('; ')}</TableCell>
              <TableCell align="right">{a.eval ? `${(a.eval.accuracy * 100).toFixed(1)}% of ${a.eval.n}` : '–'}</TableCell>
              <TableCell>{benchmarks(a)}</TableCell>
              <TableCell align="right">{a.sizeBytes === null ? 'missing' : `${(a.sizeBytes / 1024).toFixed(0)} KiB`}</TableCell>
              <TableCell padding="none">
                <Button size="small" disabled={!target} onClick={() => void act(async () => `Adapter written to ${(await api.call('training.exportAdapter', { adapterId: a.id, path: target })).path}`)}>
                  Export GGUF
                </Button>
                <Button
                  size="small"
                  disabled={!target}
                  onClick={() =>
                    void act(async () => {
                      const r = await api.call('training.mergeAdapter', { adapterId: a.id, path: target });
                      return `Merged ${r.mergedTensors} weights into ${r.path} (added to the models)`;
                    })
                  }
                >
                  Merge into GGUF
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        <TextField size="small" type="number" label="verl GPUs per node" value={gpus} onChange={(e) => setGpus(Math.max(1, Math.floor(Number(e.target.value) || 1)))} sx={{ width: 150 }} data-testid="verl-gpus" />
        <TextField size="small" type="number" label="Tensor parallel" value={tp} onChange={(e) => setTp(Math.max(1, Math.floor(Number(e.target.value) || 1)))} sx={{ width: 130 }} data-testid="verl-tp" />
        {runs.slice(0, 6).map((r) => (
          <Button
            key={r.id}
            size="small"
            variant="outlined"
            disabled={!target}
            onClick={() =>
              void act(async () => {
                const out = await api.call('training.exportVerl', { runId: r.id, dir: target, gpusPerNode: gpus, tensorParallel: tp });
                const warn = out.warnings.length ? ` Differences from the local run: ${out.warnings.join(' ')}` : '';
                const counted = out.promptLengthMethod === 'tokenizer' ? "counted with the model's tokenizer" : 'bounded by bytes: the model has no usable tokenizer';
                const base = out.baseModel ? `run.sh defaults BASE_MODEL to ${out.baseModel.id} (from ${out.baseModel.from})` : 'set BASE_MODEL when running run.sh (the GGUF names no checkpoint)';
                return `verl input for run #${r.id} in ${out.dir}: ${out.files.length} files (${out.format}); max prompt length ${out.maxPromptLength} (${counted}); ${base}; see its README.md.${warn}`;
              })
            }
          >
            Export run #{r.id} for verl
          </Button>
        ))}
      </Stack>
    </Stack>
  );
}
