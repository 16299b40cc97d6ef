import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, Radio, RadioGroup, Stack, Table, TableBody, TableCell, TableRow, TextField, Typography } from '@mui/material';
import { useState, type KeyboardEvent } from 'react';
import type { QuestionOption } from '../../../../api/synthesis.js';
import { rejectReasonLabels, rejectReasons, type BulkPreview, type RejectReason } from '../../../../api/review.js';

export function RejectDialog({ open, onClose, onReject }: { open: boolean; onClose(): void; onReject(reason: RejectReason, note: string): void }) {
  const [reason, setReason] = useState<RejectReason>('medically-wrong');
  const [note, setNote] = useState('');
  const submit = () => {
    onReject(reason, note.trim());
    setNote('');
  };
  const onKey = (e: KeyboardEvent) => {
    // While closing, the dialog still holds the focus for its exit transition: the keys belong to the page.
    if (!open) return;
    const inNote = (e.target as HTMLElement).tagName === 'TEXTAREA' || (e.target as HTMLElement).tagName === 'INPUT';
    if (!inNote && /^[1-6]$/.test(e.key)) {
      setReason(rejectReasons[Number(e.key) - 1] as RejectReason);
      e.preventDefault();
    } else if (e.key === 'Enter' && (!inNote || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  };
  return (
    <Dialog open={open} onClose={onClose} onKeyDown={onKey} maxWidth="xs" fullWidth data-testid="reject-dialog">
      <DialogTitle>Reject: why?</DialogTitle>
      <DialogContent>
        <RadioGroup value={reason} onChange={(e) => setReason(e.target.value as RejectReason)}>
          {rejectReasons.map((r, i) => (
            <FormControlLabel key={r} value={r} control={<Radio size="small" />} label={`${i + 1} · ${rejectReasonLabels[r]}`} data-testid={`reason-${r}`} />
          ))}
        </RadioGroup>
        <TextField
          label={reason === 'other' ? 'Reason (required for Other)' : 'Note (optional)'}
          fullWidth
          multiline
          minRows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          sx={{ mt: 1 }}
          slotProps={{ htmlInput: { 'data-testid': 'reject-note' } }}
        />
        <Typography variant="caption" color="text.secondary">
          1–6 choose · Enter rejects (Ctrl+Enter inside the note) · Esc cancels
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button color="error" variant="contained" onClick={submit} disabled={reason === 'other' && note.trim() === ''} data-testid="reject-confirm">
          Reject
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function EditDialog({ open, stem, options, onClose, onSave }: { open: boolean; stem: string; options: QuestionOption[]; onClose(): void; onSave(stem: string, options: QuestionOption[]): void }) {
  const [draftStem, setDraftStem] = useState(stem);
  const [draftOptions, setDraftOptions] = useState(options);
  const [seen, setSeen] = useState({ stem, options });
  // Reset the draft whenever the dialog is opened on another item or version.
  if (seen.stem !== stem || seen.options !== options) {
    setSeen({ stem, options });
    setDraftStem(stem);
    setDraftOptions(options);
  }
  const changed = draftStem !== stem || draftOptions.some((o, i) => o.text !== options[i]?.text);
  const save = () => changed && onSave(draftStem.trim(), draftOptions.map((o) => ({ ...o, text: o.text.trim() })));
  return (
    <Dialog
      open={open}
      onClose={onClose}
      maxWidth="md"
      fullWidth
      data-testid="edit-dialog"
      onKeyDown={(e) => {
        if (open && e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          save();
        }
      }}
    >
      <DialogTitle>Edit the question</DialogTitle>
      <DialogContent>
        <TextField label="Stem" fullWidth multiline minRows={3} value={draftStem} onChange={(e) => setDraftStem(e.target.value)} sx={{ mt: 1 }} autoFocus slotProps={{ htmlInput: { 'data-testid': 'edit-stem' } }} />
        {draftOptions.map((o, i) => (
          <TextField
            key={o.letter}
            label={`Option ${o.letter}`}
            fullWidth
            size="small"
            value={o.text}
            onChange={(e) => setDraftOptions(draftOptions.map((x, j) => (j === i ? { ...x, text: e.target.value } : x)))}
            sx={{ mt: 1 }}
            slotProps={{ htmlInput: { 'data-testid': `edit-option-${o.letter}` } }}
          />
        ))}
        <Typography variant="caption" color="text.secondary">
          Ctrl+Enter saves as a new version (the previous text stays in the audit log) · Esc cancels
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={save} disabled={!changed || draftStem.trim() === ''} data-testid="edit-save">
          Save version
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function CommentDialog({ open, onClose, onSave }: { open: boolean; onClose(): void; onSave(text: string): void }) {
  const [text, setText] = useState('');
  const save = () => {
    if (text.trim()) onSave(text.trim());
    setText('');
  };
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="comment-dialog">
      <DialogTitle>Comment</DialogTitle>
      <DialogContent>
        <TextField
          autoFocus
          fullWidth
          multiline
          minRows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              save();
            }
          }}
          slotProps={{ htmlInput: { 'data-testid': 'comment-text' } }}
        />
        <Typography variant="caption" color="text.secondary">
          Enter saves · Shift+Enter new line
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={save} disabled={!text.trim()}>
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export type BulkChoice = { kind: 'accept' } | { kind: 'skip' } | { kind: 'reject'; reason: RejectReason; note: string };

const bulkVerb: Record<BulkChoice['kind'], string> = { reject: 'Reject', accept: 'Accept the pseudo-label of', skip: 'Skip' };

/**
 * One decision applied to many items. Nothing is chosen to begin with (no destructive default), and the
 * confirmation names the action, the count, and how many of the items have a pseudo-label contradicting the
 * answer the question was written for: accepting those would store labels the author did not intend.
 */
export function BulkDialog({
  open,
  describe,
  picked,
  preview,
  onClose,
  onApply,
  error,
}: {
  open: boolean;
  describe: string;
  /** Items ticked in the queue; 0 = the whole filtered queue. */
  picked: number;
  preview: BulkPreview | null;
  onClose(): void;
  onApply(d: BulkChoice): void;
  error: string | null;
}) {
  const [kind, setKind] = useState<BulkChoice['kind'] | null>(null);
  const [reason, setReason] = useState<RejectReason | null>(null);
  const [wasOpen, setWasOpen] = useState(open);
  // Each opening starts with nothing chosen.
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) {
      setKind(null);
      setReason(null);
    }
  }
  const count = preview?.count ?? 0;
  const items = `${count.toLocaleString()} ${count === 1 ? 'item' : 'items'}`;
  const ready = kind !== null && (kind !== 'reject' || reason !== null) && count > 0 && !(kind === 'accept' && (preview?.unlabelled ?? 0) > 0);
  const contradicting = preview?.contradicting ?? 0;
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="bulk-dialog" aria-labelledby="bulk-dialog-title">
      <DialogTitle id="bulk-dialog-title">Apply one decision to {picked > 0 ? 'the ticked items' : 'the whole queue'}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="text.secondary" data-testid="bulk-scope">
          {picked > 0 ? `${picked.toLocaleString()} ticked in the queue (of: ${describe})` : `Selection: ${describe}`}
        </Typography>
        <RadioGroup row value={kind ?? ''} onChange={(e) => setKind(e.target.value as BulkChoice['kind'])} sx={{ mt: 1 }} aria-label="Decision">
          <FormControlLabel value="accept" control={<Radio size="small" />} label="Accept pseudo-label" data-testid="bulk-kind-accept" />
          <FormControlLabel value="reject" control={<Radio size="small" />} label="Reject" data-testid="bulk-kind-reject" />
          <FormControlLabel value="skip" control={<Radio size="small" />} label="Skip" data-testid="bulk-kind-skip" />
        </RadioGroup>
        {kind === 'reject' && (
          <RadioGroup value={reason ?? ''} onChange={(e) => setReason(e.target.value as RejectReason)} aria-label="Reject reason">
            {rejectReasons.map((r) => (
              <FormControlLabel key={r} value={r} control={<Radio size="small" />} label={rejectReasonLabels[r]} data-testid={`bulk-reason-${r}`} />
            ))}
          </RadioGroup>
        )}
        {preview === null ? (
          <Typography variant="body2" sx={{ mt: 1 }}>
            Counting the selection…
          </Typography>
        ) : (
          <Alert severity={kind === 'accept' && contradicting > 0 ? 'error' : 'warning'} sx={{ mt: 1 }} data-testid="bulk-count">
            {kind ? `${bulkVerb[kind]} ${items}.` : `${items} selected: choose a decision.`}{' '}
            {contradicting > 0
              ? `${contradicting.toLocaleString()} of them have a pseudo-label that contradicts the intended answer${kind === 'accept' ? ': accepting stores those labels as correct' : ''}.`
              : 'None has a pseudo-label that contradicts the intended answer.'}
            {kind === 'accept' && preview.unlabelled > 0 ? ` ${preview.unlabelled.toLocaleString()} have no pseudo-label to accept: narrow the selection.` : ''} Each gets its own audit entry; undo works item by item.
          </Alert>
        )}
        {error && (
          <Alert severity="error" sx={{ mt: 1 }}>
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="bulk-cancel">
          Cancel
        </Button>
        <Button
          variant="contained"
          color={kind === 'reject' ? 'error' : 'primary'}
          disabled={!ready}
          onClick={() => kind && onApply(kind === 'reject' ? { kind, reason: reason ?? 'other', note: '' } : { kind })}
          data-testid="bulk-confirm"
        >
          {kind ? `${bulkVerb[kind]} ${count.toLocaleString()}` : 'Choose a decision'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export const shortcuts: [string, string][] = [
  ['1 – 5', 'Pick that option as the correct answer'],
  ['A', 'Accept the pseudo-label'],
  ['R', 'Reject (then 1–6 for the reason, Enter)'],
  ['E', 'Edit stem or options (Ctrl+Enter saves)'],
  ['S', 'Skip'],
  ['C', 'Comment'],
  ['U  or  Ctrl+Z', 'Undo your last decision'],
  ['J  /  K', 'Next / previous item'],
  ['/', 'Search the queue'],
  ['G', 'Show or hide the guidelines'],
  ['?', 'This help'],
  ['Esc', 'Close a dialog, leave the search box'],
];

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  return (
    <Dialog open={open} onClose={onClose} data-testid="shortcuts-dialog">
      <DialogTitle>Keyboard shortcuts</DialogTitle>
      <DialogContent>
        <Table size="small">
          <TableBody>
            {shortcuts.map(([k, what]) => (
              <TableRow key={k}>
                <TableCell>
                  <Box component="kbd" sx={{ fontFamily: 'monospace', fontWeight: 700 }}>
                    {k}
                  </Box>
                </TableCell>
                <TableCell>{what}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <Stack sx={{ mt: 1 }}>
          <Typography variant="caption" color="text.secondary">
            A decision moves to the next item. Every decision is kept in the audit log.
          </Typography>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
