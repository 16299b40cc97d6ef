import { Box, List, ListItemButton, ListItemIcon, ListItemText, Typography } from '@mui/material';
import { pages } from '../pages.js';
import { hrefFor, type Area } from '../routing.js';
import { sidebarWidth } from '../theme.js';

export function Sidebar({ current, version }: { current: Area; version: string | null }) {
  return (
    <Box
      component="nav"
      aria-label="Main"
      sx={{
        width: sidebarWidth,
        flexShrink: 0,
        display: 'flex',
        flexDirection: 'column',
        bgcolor: '#101826',
        color: '#c9d3e1',
        borderRight: '1px solid rgba(255,255,255,0.06)',
      }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.25, px: 2.25, py: 2.25 }}>
        <Box component="img" src="icon.svg" alt="" sx={{ width: 30, height: 30 }} />
        <Box>
          <Typography sx={{ color: '#fff', fontWeight: 700, fontSize: '0.98rem', lineHeight: 1.15 }}>MedSSR Studio</Typography>
          <Typography sx={{ color: '#7d8ba0', fontSize: '0.7rem' }}>Rare-disease reasoning</Typography>
        </Box>
      </Box>
      {/* Links in a nav, not list items: a <ul> may hold only <li>. */}
      <List component="div" sx={{ px: 1.25, flex: 1 }}>
        {pages.map((p) => {
          const selected = p.path === current;
          return (
            <ListItemButton
              key={p.path}
              component="a"
              href={hrefFor(p.path)}
              selected={selected}
              aria-current={selected ? 'page' : undefined}
              data-testid={`nav-${p.path}`}
              sx={{
                borderRadius: 1.5,
                mb: 0.25,
                py: 0.85,
                color: selected ? '#fff' : 'inherit',
                '&.Mui-selected': { bgcolor: 'rgba(122,167,255,0.16)' },
                '&.Mui-selected:hover': { bgcolor: 'rgba(122,167,255,0.22)' },
                '&:hover': { bgcolor: 'rgba(255,255,255,0.05)' },
              }}
            >
              <ListItemIcon sx={{ minWidth: 36, color: selected ? '#8fb4ff' : '#7d8ba0' }}>{p.icon}</ListItemIcon>
              <ListItemText primary={p.title} slotProps={{ primary: { sx: { fontSize: '0.88rem', fontWeight: selected ? 650 : 500 } } }} />
            </ListItemButton>
          );
        })}
      </List>
      <Box sx={{ px: 2.25, py: 1.75, borderTop: '1px solid rgba(255,255,255,0.06)', fontSize: '0.7rem', color: '#7d8ba0', lineHeight: 1.5 }}>
        <div>Orphanet (c) 2025 · CC BY 4.0</div>
        <div>{version ? `Version ${version}` : '\u00a0'}</div>
      </Box>
    </Box>
  );
}
