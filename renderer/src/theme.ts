import { alpha, createTheme, type PaletteMode, type Theme } from '@mui/material/styles';

const fontStack = [
  'Inter',
  'system-ui',
  '-apple-system',
  '"Segoe UI"',
  'Roboto',
  '"Helvetica Neue"',
  'Arial',
  'sans-serif',
].join(',');

export const sidebarWidth = 220;

export function buildTheme(mode: PaletteMode): Theme {
  const dark = mode === 'dark';
  const primary = dark ? '#7aa7ff' : '#2456c7';
  return createTheme({
    palette: {
      mode,
      primary: { main: primary },
      secondary: { main: dark ? '#5fd4c4' : '#0f766e' },
      // Light mode: status colours dark enough for text on white and white text on them (contrast ≥ 4.5:1);
      // MUI's defaults (orange, light blue, green) are 2.5–3.5:1 as chip text.
      ...(dark
        ? {}
        : { warning: { main: '#9a4a06' }, info: { main: '#0369a1' }, success: { main: '#15803d' }, error: { main: '#c62828' } }),
      background: dark ? { default: '#0f141b', paper: '#151b24' } : { default: '#f4f6f9', paper: '#ffffff' },
      divider: dark ? 'rgba(255,255,255,0.09)' : 'rgba(15,23,42,0.09)',
      text: dark ? { primary: '#e6eaf0', secondary: '#9aa5b4' } : { primary: '#111827', secondary: '#5b6473' },
    },
    shape: { borderRadius: 8 },
    typography: {
      fontFamily: fontStack,
      fontSize: 13.5,
      h5: { fontWeight: 650, letterSpacing: '-0.01em' },
      h6: { fontWeight: 650, fontSize: '1.05rem', letterSpacing: '-0.005em' },
      subtitle2: { fontWeight: 650 },
      overline: { fontWeight: 700, letterSpacing: '0.08em', fontSize: '0.68rem' },
      button: { textTransform: 'none', fontWeight: 600 },
    },
    components: {
      MuiPaper: {
        defaultProps: { elevation: 0 },
        styleOverrides: { outlined: ({ theme }) => ({ borderColor: theme.palette.divider }) },
      },
      MuiButton: { defaultProps: { disableElevation: true } },
      // Section titles (subtitle1) sit under the page's h1 and their sub-titles (subtitle2) under them: MUI's
      // default maps both to h6, which skips levels for screen-reader heading navigation (axe heading-order).
      MuiTypography: { defaultProps: { variantMapping: { subtitle1: 'h2', subtitle2: 'h3' } } },
      MuiChip: { styleOverrides: { root: { fontWeight: 500 } } },
      MuiTableCell: {
        styleOverrides: {
          root: ({ theme }) => ({ borderColor: theme.palette.divider, paddingTop: 6, paddingBottom: 6 }),
          head: ({ theme }) => ({ fontWeight: 650, color: theme.palette.text.secondary, fontSize: '0.75rem' }),
        },
      },
      MuiTooltip: { defaultProps: { arrow: true } },
      MuiListItemButton: {
        styleOverrides: {
          root: ({ theme }) => ({
            '&.Mui-selected': { backgroundColor: alpha(theme.palette.primary.main, dark ? 0.18 : 0.09) },
          }),
        },
      },
      MuiCssBaseline: {
        styleOverrides: {
          'html, body, #root': { height: '100%' },
          body: { overflow: 'hidden' },
          // A visible focus ring on everything reachable by keyboard (MUI's ripple alone is too faint).
          '*:focus-visible': { outline: `2px solid ${primary}`, outlineOffset: 2 },
          '*::-webkit-scrollbar': { width: 10, height: 10 },
          '*::-webkit-scrollbar-thumb': {
            backgroundColor: dark ? 'rgba(255,255,255,0.14)' : 'rgba(15,23,42,0.16)',
            borderRadius: 8,
            border: '2px solid transparent',
            backgroundClip: 'content-box',
          },
        },
      },
    },
  });
}
