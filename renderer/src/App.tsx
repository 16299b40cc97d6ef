import { Box, CssBaseline, LinearProgress, Stack, Typography } from '@mui/material';
import { ThemeProvider } from '@mui/material/styles';
import { Suspense, useMemo, type MouseEvent } from 'react';
import type { ApiClient } from '../../api/contract.js';
import { ApiProvider } from './api/ApiContext.js';
import { ImportDialog } from './components/ImportDialog.js';
import { ReadOnlyBanner } from './components/ReadOnlyBanner.js';
import { JobIndicator } from './jobs/JobIndicator.js';
import { JobsProvider } from './jobs/JobsContext.js';
import { LoginGate } from './pages/review/login/LoginGate.js';
import { pageFor, pagePaths, pages, type PageDef } from './pages.js';
import { useRoute } from './routing.js';
import { Sidebar } from './shell/Sidebar.js';
import { AppStateProvider, useAppState } from './state/AppState.js';
import { useThemePreference, type ThemePreference } from './state/themeMode.js';
import { buildTheme } from './theme.js';

function PageLoading() {
  // Named: axe requires a progress bar to say what it measures (aria-progressbar-name).
  return <LinearProgress aria-label="Loading the page" sx={{ height: 2 }} />;
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
  const route = useRoute(pagePaths);
  const { info, importOpen, closeImport } = useAppState();
  const current = pageFor(route.area);
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
              {current.title}
            </Typography>
            <Typography variant="caption" color="text.secondary" noWrap component="div">
              {current.tagline}
            </Typography>
          </Box>
          <JobIndicator />
        </Stack>
        {info?.readOnly && <ReadOnlyBanner />}
        <Box sx={{ flex: 1, minHeight: 0, '&:focus': { outline: 'none' } }} id="main-content" tabIndex={-1}>
          {pages.map((p: PageDef) => {
            const active = p.path === route.area;
            const ctx = { rest: active ? route.rest : [], active, themePreference, onThemeChange };
            if (p.keepMounted) {
              return (
                <Box key={p.path} sx={{ height: '100%', display: active ? 'block' : 'none' }}>
                  {p.render(ctx)}
                </Box>
              );
            }
            return active ? (
              <Suspense key={p.path} fallback={<PageLoading />}>
                {p.render(ctx)}
              </Suspense>
            ) : null;
          })}
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
