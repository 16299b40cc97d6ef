import { Box, CssBaseline, LinearProgress, Stack, Typography } from '@mui/material';
import { ThemeProvider } from '@mui/material/styles';
import { lazy, Suspense, useMemo, type MouseEvent } from 'react';
import type { ApiClient } from '../../api/contract.js';
import { ApiProvider } from './api/ApiContext.js';
import { ImportDialog } from './components/ImportDialog.js';
import { JobIndicator } from './jobs/JobIndicator.js';
import { JobsProvider } from './jobs/JobsContext.js';
import { KnowledgePage } from './pages/knowledge/KnowledgePage.js';
import { LoginGate } from './pages/review/login/LoginGate.js';
import { SettingsPage } from './pages/settings/SettingsPage.js';
import { useRoute } from './routing.js';
import { infoFor } from './shell/areas.js';
import { PlannedArea } from './shell/PlannedArea.js';
import { Sidebar } from './shell/Sidebar.js';
import { AppStateProvider, useAppState } from './state/AppState.js';
import { useThemePreference, type ThemePreference } from './state/themeMode.js';
import { buildTheme } from './theme.js';

// Pages other than Knowledge load on first visit, so the first screen does not wait for their code
// (charts in particular). Add new pages the same way.
const EvaluationPage = lazy(() => import('./pages/evaluation/EvaluationPage.js').then((m) => ({ default: m.EvaluationPage })));
const ModelsPage = lazy(() => import('./pages/models/ModelsPage.js').then((m) => ({ default: m.ModelsPage })));
const SynthesisPage = lazy(() => import('./pages/synthesis/SynthesisPage.js').then((m) => ({ default: m.SynthesisPage })));
const TrainingPage = lazy(() => import('./pages/training/TrainingPage.js').then((m) => ({ default: m.TrainingPage })));
const ReviewPage = lazy(() => import('./pages/review/ReviewPage.js').then((m) => ({ default: m.ReviewPage })));

function PageLoading() {
  return <LinearProgress sx={{ height: 2 }} />;
}

/**
 * The first tab stop: jumps over the sidebar to the page's content. A button-like link, not href="#…": the
 * hash is the route. Hidden until it has the keyboard focus.
 */
function SkipLink() {
  return (
    <Box
      component="a"
      href="#main-content"
      onClick={(e: MouseEvent) => {
        e.preventDefault();
        document.getElementById('main-content')?.focus();
      }}
      data-testid="skip-link"
      sx={{
        position: 'absolute',
        left: 8,
        top: -48,
        zIndex: 2000,
        px: 2,
        py: 1,
        borderRadius: 1,
        bgcolor: 'background.paper',
        color: 'primary.main',
        fontWeight: 600,
        boxShadow: 3,
        '&:focus': { top: 8 },
      }}
    >
      Skip to content
    </Box>
  );
}

function Shell({ themePreference, onThemeChange }: { themePreference: ThemePreference; onThemeChange(p: ThemePreference): void }) {
  const route = useRoute();
  const { info, importOpen, closeImport } = useAppState();
  const area = infoFor(route.area);
  const selected = route.area === 'knowledge' && route.rest[0] && /^\d+$/.test(route.rest[0]) ? route.rest[0] : null;
  return (
    <Box sx={{ display: 'flex', height: '100vh', overflow: 'hidden' }}>
      <SkipLink />
      <Sidebar current={route.area} version={info?.version ?? null} />
      <Box component="main" sx={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}>
        <Stack
          direction="row"
          sx={{ alignItems: 'center', height: 56, px: 3, borderBottom: 1, borderColor: 'divider', bgcolor: 'background.paper', flexShrink: 0 }}
        >
          <Box sx={{ flex: 1, minWidth: 0 }}>
            <Typography variant="h6" component="h1" sx={{ lineHeight: 1.2 }} data-testid="page-title">
              {area.label}
            </Typography>
            <Typography variant="caption" color="text.secondary" noWrap component="div">
              {area.tagline}
            </Typography>
          </Box>
          <JobIndicator />
        </Stack>
        <Box sx={{ flex: 1, minHeight: 0, '&:focus': { outline: 'none' } }} id="main-content" tabIndex={-1}>
          {/* Knowledge stays mounted so its search, filters and scroll position survive a visit elsewhere. */}
          <Box sx={{ height: '100%', display: route.area === 'knowledge' ? 'block' : 'none' }}>
            <KnowledgePage selected={selected} active={route.area === 'knowledge'} />
          </Box>
          {route.area === 'settings' && <SettingsPage themePreference={themePreference} onThemeChange={onThemeChange} />}
          <Suspense fallback={<PageLoading />}>{route.area === 'synthesis' && <SynthesisPage />}</Suspense>
          <Suspense fallback={<PageLoading />}>{route.area === 'models' && <ModelsPage />}</Suspense>
          <Suspense fallback={<PageLoading />}>{route.area === 'evaluation' && <EvaluationPage />}</Suspense>
          <Suspense fallback={<PageLoading />}>{route.area === 'training' && <TrainingPage />}</Suspense>
          <Suspense fallback={<PageLoading />}>{route.area === 'review' && <ReviewPage active />}</Suspense>
          {area.planned && <PlannedArea info={area} />}
        </Box>
      </Box>
      <ImportDialog open={importOpen} onClose={closeImport} />
    </Box>
  );
}

export function App({ client }: { client: ApiClient }) {
  const { preference, mode, setPreference } = useThemePreference();
  const theme = useMemo(() => buildTheme(mode), [mode]);
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <ApiProvider client={client}>
        {/* Browser mode beyond loopback asks for a login before anything calls the Api. */}
        <LoginGate>
          <JobsProvider>
            <AppStateProvider>
              <Shell themePreference={preference} onThemeChange={setPreference} />
            </AppStateProvider>
          </JobsProvider>
        </LoginGate>
      </ApiProvider>
    </ThemeProvider>
  );
}
