import LockOutlinedIcon from '@mui/icons-material/LockOutlined';
import { Alert, Typography } from '@mui/material';
import { readOnlyBannerText } from './readOnlyText.js';

/**
 * Shown above every page while the server opened the data folder read-only (app.info's readOnly), so a refused
 * write is never the first a user hears of it. A status, not an alert: it is there from the start and stays.
 */
export function ReadOnlyBanner() {
  return (
    <Alert
      severity="warning"
      icon={<LockOutlinedIcon />}
      role="status"
      data-testid="read-only-banner"
      sx={{ borderRadius: 0, borderBottom: 1, borderColor: 'divider', flexShrink: 0, py: 0.25 }}
    >
      <Typography variant="body2" component="span" sx={{ fontWeight: 650 }}>
        {readOnlyBannerText.title}
      </Typography>{' '}
      <Typography variant="body2" component="span">
        {readOnlyBannerText.detail}
      </Typography>
    </Alert>
  );
}
