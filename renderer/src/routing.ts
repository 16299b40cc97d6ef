import { useSyncExternalStore } from 'react';
import type { PagePath } from './pages.js';

/** A page's path, as the pages registry (pages.tsx) declares them. */
export type Area = PagePath;

export interface Route {
  area: Area;
  /** Path segments after the area, e.g. ["558"] for #/knowledge/558. */
  rest: string[];
}

/** The route of a hash; an unknown or empty path goes to the first page. `known` is pages.tsx's `pagePaths`. */
export function parseHash(hash: string, known: readonly Area[]): Route {
  const segments = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(safeDecode);
  const [first, ...rest] = segments;
  const area = known.find((a) => a === first) ?? (known[0] as Area);
  return { area, rest: area === first ? rest : [] };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function hrefFor(area: Area, ...rest: string[]): string {
  return `#/${[area, ...rest].map(encodeURIComponent).join('/')}`;
}

export function navigate(area: Area, ...rest: string[]): void {
  const next = hrefFor(area, ...rest);
  if (window.location.hash !== next) window.location.hash = next;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(known: readonly Area[]): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHash(hash, known);
}
