import FolderOpenIcon from '@mui/icons-material/FolderOpenOutlined';
import FolderZipIcon from '@mui/icons-material/FolderZipOutlined';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  LinearProgress,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { useState, type FormEvent } from 'react';
import { isJobOfKind, type JobInfo } from '../../../api/jobs.js';
import type { ImportReport } from '../../../api/knowledge.js';
import { desktopBridge, useApi } from '../api/ApiContext.js';
import { JobDialogActions } from '../jobs/JobDialogActions.js';
import { useStartedJob } from '../jobs/useStartedJob.js';

/** A completed import's report, read through the job kind's type (api/jobs.ts) rather than the result's shape. */
function importReport(job: JobInfo): ImportReport | null {
  return job.state === 'completed' && isJobOfKind(job, 'import-orphanet') ? job.result : null;
}

function ReportSummary({ report }: { report: ImportReport }) {
  const parts = [
    `${report.packets.toLocaleString()} packets`,
    `${report.added.toLocaleString()} added`,
    `${report.changed.toLocaleString()} changed`,
    `${report.removed.toLocaleString()} removed`,
    `${report.unchanged.toLocaleString()} unchanged`,
  ];
  return (
    <Alert severity={report.skipped.length ? 'warning' : 'success'} data-testid="import-report">
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        Import finished in {(report.tookMs / 1000).toFixed(1)} s{report.sourceVersion ? ` · Orphanet ${report.sourceVersion}` : ''}
      </Typography>
      <Typography variant="body2">{parts.join(' · ')}</Typography>
      {report.skipped.length > 0 && (
        <Box component="ul" sx={{ m: 0, mt: 1, pl: 2, maxHeight: 140, overflow: 'auto' }}>
          {report.skipped.map((s) => (
            <li key={s.file}>
              <Typography variant="caption">
                {s.file}: {s.reason}
              </Typography>
            </li>
          ))}
        </Box>
      )}
    </Alert>
  );
}

/** How many entries a refused import would remove (the importer asks before deleting), or null. */
function removalsAsked(error: string | null | undefined): number | null {
  const m = /would remove (\d+) entr/.exec(error ?? '');
  return m ? Number(m[1]) : null;
}

/** Starts an ORPHApacket import job and follows it; closing the dialog leaves the job running. */
export function ImportDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const api = useApi();
  const { job, running, fraction, error, start: startJob, cancel, reset } = useStartedJob();
  const bridge = desktopBridge();
  const [path, setPath] = useState('');
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [starting, setStarting] = useState(false);

  const start = async (e?: FormEvent, skip = skipInvalid, allowRemovals = false) => {
    e?.preventDefault();
    setStarting(true);
    // A new attempt replaces the last one's outcome: an old failure beside a new error reads as two problems.
    reset();
    try {
      await startJob(() => api.call('knowledge.import', { path: path.trim(), skipInvalid: skip, allowRemovals }));
    } finally {
      setStarting(false);
    }
  };

  const pick = async (kind: 'folder' | 'zip') => {
    const chosen = await bridge?.pickImportSource(kind);
    if (chosen) setPath(chosen);
  };

  // The importer's advice names the CLI flag; here the button beside the message does the same.
  const report = job ? importReport(job) : null;
  const offersSkip = job?.state === 'failed' && !skipInvalid && /--skip-invalid/.test(job.error ?? '');
  const failure = (job?.error ?? 'The import failed.').replace(/ Use --skip-invalid \(or "skip invalid packets"\) to import the valid ones\./, offersSkip ? ' Import the valid ones with the button, and get the others listed.' : '');

  const close = () => {
    if (job && !running) reset();
    onClose();
  };

  return (
    <Dialog open={open} onClose={close} maxWidth="sm" fullWidth data-testid="import-dialog">
      <form onSubmit={(e) => void start(e)}>
        <DialogTitle>Import ORPHApackets</DialogTitle>
        <DialogContent>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
            Choose a folder of <code>ORPHApacket_*.json</code> files or the <code>.zip</code> downloaded from Orphanet’s GitHub
            (github.com/Orphanet/orphapacket). Re-importing a newer release updates entries in place.
            {bridge ? '' : ' The path is read on the machine running the server.'}
          </Typography>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
            <TextField
              autoFocus
              fullWidth
              size="small"
              label="Folder or .zip path"
              placeholder="/home/me/orphapacket/json"
              value={path}
              onChange={(e) => setPath(e.target.value)}
              disabled={running}
              slotProps={{ htmlInput: { 'data-testid': 'import-path', spellCheck: false } }}
            />
            {bridge && (
              <>
                <Button variant="outlined" onClick={() => void pick('folder')} startIcon={<FolderOpenIcon />} disabled={running}>
                  Folder…
                </Button>
                <Button variant="outlined" onClick={() => void pick('zip')} startIcon={<FolderZipIcon />} disabled={running}>
                  Zip…
                </Button>
              </>
            )}
          </Stack>
          <FormControlLabel
            sx={{ mt: 1 }}
            control={<Checkbox size="small" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} disabled={running} />}
            label={<Typography variant="body2">Skip invalid packets (import the valid ones and list the others)</Typography>}
          />
          {error && (
            <Alert severity="error" sx={{ mt: 1 }} data-testid="import-error">
              {error}
            </Alert>
          )}
          {job && (
            <Box sx={{ mt: 2 }} data-testid="import-progress" data-job-state={job.state}>
              {(running || job.state === 'interrupted') && (
                <>
                  <LinearProgress variant={fraction === null ? 'indeterminate' : 'determinate'} value={(fraction ?? 0) * 100} sx={{ height: 8, borderRadius: 4 }} />
                  <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
                    {job.progress.message}
                    {job.progress.total ? ` · ${job.progress.done.toLocaleString()} / ${job.progress.total.toLocaleString()}` : ''}
                  </Typography>
                </>
              )}
              {report && <ReportSummary report={report} />}
              {job.state === 'completed' && !report && <Alert severity="success">Import finished.</Alert>}
              {job.state === 'failed' && (
                <Alert
                  severity="error"
                  data-testid="import-failed"
                  action={
                    offersSkip ? (
                      <Button
                        color="inherit"
                        size="small"
                        data-testid="import-skip-invalid"
                        onClick={() => {
                          setSkipInvalid(true);
                          void start(undefined, true);
                        }}
                      >
                        Import the valid ones
                      </Button>
                    ) : undefined
                  }
                >
                  {failure}
                  {/unchanged/i.test(failure) ? '' : ' The knowledge base is unchanged.'}
                </Alert>
              )}
              {job.state === 'failed' && removalsAsked(job.error) !== null && (
                <Alert
                  severity="warning"
                  sx={{ mt: 1 }}
                  data-testid="import-confirm-removals"
                  action={
                    <Button color="warning" size="small" onClick={() => void start(undefined, true)} disabled={starting}>
                      Remove and import
                    </Button>
                  }
                >
                  Import anyway and remove the {removalsAsked(job.error)?.toLocaleString()} entries this source lacks?
                </Alert>
              )}
              {job.state === 'cancelled' && <Alert severity="info">Import cancelled; the knowledge base is unchanged.</Alert>}
              {job.state === 'interrupted' && <Alert severity="warning">The import was interrupted. Resume it from the jobs menu.</Alert>}
            </Box>
          )}
        </DialogContent>
        <JobDialogActions
          running={running && !!job}
          started={!!job}
          onCancel={cancel}
          onClose={close}
          cancelLabel="Cancel import"
          submitLabel="Import"
          submitDisabled={!path.trim() || starting}
          submitTestId="import-start"
        />
      </form>
    </Dialog>
  );
}
