import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle } from '@mui/material';
import { useState, type ReactNode } from 'react';

export interface ConfirmRequest {
  title: string;
  body: ReactNode;
  /** The button that goes ahead, named after the action ("Cancel the run", "Accept 12"). */
  confirmLabel: string;
  destructive?: boolean;
  onConfirm(): void | Promise<void>;
}

/**
 * A yes/no question before an action that loses work. The safe choice ("Keep …") has the focus, so Enter
 * never does the destructive thing by accident.
 */
export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest | null; onClose(): void }) {
  const [busy, setBusy] = useState(false);
  return (
    <Dialog open={request !== null} onClose={onClose} data-testid="confirm-dialog" aria-labelledby="confirm-dialog-title">
      {request && (
        <>
          <DialogTitle id="confirm-dialog-title">{request.title}</DialogTitle>
          <DialogContent>
            <DialogContentText component="div">{request.body}</DialogContentText>
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} autoFocus data-testid="confirm-dismiss">
              Go back
            </Button>
            <Button
              color={request.destructive ? 'error' : 'primary'}
              variant="contained"
              disabled={busy}
              data-testid="confirm-accept"
              onClick={() => {
                setBusy(true);
                void Promise.resolve(request.onConfirm()).finally(() => {
                  setBusy(false);
                  onClose();
                });
              }}
            >
              {request.confirmLabel}
            </Button>
          </DialogActions>
        </>
      )}
    </Dialog>
  );
}

/** State for one ConfirmDialog: `ask(request)` opens it, `dialog` renders it. */
export function useConfirm(): { ask(request: ConfirmRequest): void; dialog: ReactNode } {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  return { ask: setRequest, dialog: <ConfirmDialog request={request} onClose={() => setRequest(null)} /> };
}
