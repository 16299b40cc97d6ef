import CloudUploadOutlinedIcon from '@mui/icons-material/CloudUploadOutlined';
import { Box, Button, Chip, Paper, Stack, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { OrphanetAttribution } from '../../components/Attribution.js';
import { useAppState } from '../../state/AppState.js';
import type { ThemePreference } from '../../state/themeMode.js';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack direction="row" spacing={2} sx={{ py: 0.75, alignItems: 'baseline' }}>
      <Typography variant="body2" color="text.secondary" sx={{ width: 190, flexShrink: 0 }}>
        {label}
      </Typography>
      <Typography variant="body2" component="div" sx={{ minWidth: 0, overflowWrap: 'anywhere' }}>
        {children}
      </Typography>
    </Stack>
  );
}

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: 2.5, mb: 2 }}>
      <Typography variant="h6" sx={{ mb: 1 }}>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

export function SettingsPage({ themePreference, onThemeChange }: { themePreference: ThemePreference; onThemeChange(p: ThemePreference): void }) {
  const { info, stats, openImport, readOnly } = useAppState();
  return (
    <Box sx={{ height: '100%', overflowY: 'auto', p: 3 }} data-testid="settings-page">
      <Box sx={{ maxWidth: 820 }}>
        <Card title="Knowledge base">
          <Row label="Entries">
            {stats ? (
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <Typography variant="body2" data-testid="stats-disorders">
                  {stats.disorders.toLocaleString()}
                </Typography>
                {stats.isDemo && <Chip label="demo set" size="small" color="warning" variant="outlined" />}
              </Stack>
            ) : (
              '…'
            )}
          </Row>
          <Row label="Phenotype associations">{stats?.phenotypeAssociations.toLocaleString() ?? '…'}</Row>
          <Row label="Gene associations">{stats ? `${stats.geneAssociations.toLocaleString()} (${stats.genes.toLocaleString()} genes)` : '…'}</Row>
          <Row label="Prevalence records">{stats?.prevalences.toLocaleString() ?? '…'}</Row>
          <Row label="Orphanet release">{stats?.sourceVersion ?? '—'}</Row>
          <Row label="Imported">{stats?.importedAt ? new Date(stats.importedAt).toLocaleString() : '—'}</Row>
          <Button variant="contained" startIcon={<CloudUploadOutlinedIcon />} onClick={openImport} disabled={readOnly} sx={{ mt: 1.5 }}>
            Import ORPHApackets…
          </Button>
          {readOnly && (
            <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }} data-testid="import-read-only">
              Importing needs a writable data folder.
            </Typography>
          )}
        </Card>

        <Card title="Application">
          <Row label="Version">{info?.version ?? '…'}</Row>
          <Row label="Mode">{info ? (info.transport === 'ipc' ? 'Desktop window' : 'Browser mode (npm run serve)') : '…'}</Row>
          <Row label="Platform">{info?.platform ?? '…'}</Row>
          <Row label="Data folder">
            <Typography variant="body2" sx={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: '0.8rem' }} data-testid="data-dir">
              {info?.dataDir ?? '…'}
            </Typography>
          </Row>
        </Card>

        <Card title="Appearance">
          <ToggleButtonGroup size="small" exclusive value={themePreference} onChange={(_, v: ThemePreference | null) => v && onThemeChange(v)}>
            <ToggleButton value="system">System</ToggleButton>
            <ToggleButton value="light">Light</ToggleButton>
            <ToggleButton value="dark">Dark</ToggleButton>
          </ToggleButtonGroup>
        </Card>

        <Card title="About">
          <Typography variant="body2" sx={{ mb: 1.5 }}>
            MedSSR Studio synthesises knowledge-grounded medical reasoning questions from Orphanet, lets clinicians review them and their
            pseudo-labels, and trains local models with two-stage GRPO (after MedSSR, arXiv 2604.11547). Everything runs on this machine.
          </Typography>
          <OrphanetAttribution />
          <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 0.5 }}>
            Orphanet data is used under the Creative Commons Attribution 4.0 licence. The demo entries are short summaries of public facts written
            for this application.
          </Typography>
        </Card>
      </Box>
    </Box>
  );
}
