/**
 * The pages registry: one entry per page, in nav order, with its path (#/<path>), title, tagline, icon and how it
 * renders. The router (routing.ts's `Area` and `parseHash`), the sidebar and the shell's page title all read it, so
 * a new page is one entry here plus its component.
 */
import AssessmentOutlinedIcon from '@mui/icons-material/AssessmentOutlined';
import AutoAwesomeOutlinedIcon from '@mui/icons-material/AutoAwesomeOutlined';
import FactCheckOutlinedIcon from '@mui/icons-material/FactCheckOutlined';
import HubOutlinedIcon from '@mui/icons-material/HubOutlined';
import MenuBookOutlinedIcon from '@mui/icons-material/MenuBookOutlined';
import ModelTrainingOutlinedIcon from '@mui/icons-material/ModelTrainingOutlined';
import SettingsOutlinedIcon from '@mui/icons-material/SettingsOutlined';
import { lazy, type ReactElement, type ReactNode } from 'react';
import { KnowledgePage } from './pages/knowledge/KnowledgePage.js';
import { SettingsPage } from './pages/settings/SettingsPage.js';
import type { ThemePreference } from './state/themeMode.js';

// Pages other than Knowledge and Settings load on first visit, so the first screen does not wait for their code
// (charts in particular). Add new pages the same way.
const EvaluationPage = lazy(() => import('./pages/evaluation/EvaluationPage.js').then((m) => ({ default: m.EvaluationPage })));
const ModelsPage = lazy(() => import('./pages/models/ModelsPage.js').then((m) => ({ default: m.ModelsPage })));
const SynthesisPage = lazy(() => import('./pages/synthesis/SynthesisPage.js').then((m) => ({ default: m.SynthesisPage })));
const TrainingPage = lazy(() => import('./pages/training/TrainingPage.js').then((m) => ({ default: m.TrainingPage })));
const ReviewPage = lazy(() => import('./pages/review/ReviewPage.js').then((m) => ({ default: m.ReviewPage })));

/** What the shell hands a page. */
export interface PageContext {
  /** Path segments after the page's own, e.g. ["558"] for #/knowledge/558. */
  rest: string[];
  /** Whether it is the page on screen (a page kept mounted renders while hidden too). */
  active: boolean;
  themePreference: ThemePreference;
  onThemeChange(p: ThemePreference): void;
}

export interface PageDef {
  path: string;
  title: string;
  /** One line under the page title. */
  tagline: string;
  icon: ReactElement;
  render(ctx: PageContext): ReactNode;
  /** Stays mounted while another page shows, so its state (search, filters, scroll) survives the visit. */
  keepMounted?: boolean;
}

export const pages = [
  {
    path: 'knowledge',
    title: 'Knowledge',
    icon: <MenuBookOutlinedIcon />,
    tagline: 'Orphanet rare-disease knowledge: search, filter and read every entry',
    keepMounted: true,
    render: ({ rest, active }) => <KnowledgePage selected={rest[0] && /^\d+$/.test(rest[0]) ? rest[0] : null} active={active} />,
  },
  {
    path: 'synthesis',
    title: 'Synthesis',
    icon: <AutoAwesomeOutlinedIcon />,
    tagline: 'Knowledge-grounded question synthesis with a distribution you control',
    render: () => <SynthesisPage />,
  },
  {
    path: 'review',
    title: 'Review',
    icon: <FactCheckOutlinedIcon />,
    tagline: 'Expert audit of synthetic questions and pseudo-labels, keyboard first',
    render: () => <ReviewPage active />,
  },
  {
    path: 'models',
    title: 'Models',
    icon: <HubOutlinedIcon />,
    tagline: 'GGUF models: metadata, GPU or CPU fit, optional download; adapters from training runs',
    render: () => <ModelsPage />,
  },
  {
    path: 'training',
    title: 'Training',
    icon: <ModelTrainingOutlinedIcon />,
    tagline: 'Two-stage GRPO with LoRA',
    render: () => <TrainingPage />,
  },
  {
    path: 'evaluation',
    title: 'Evaluation',
    icon: <AssessmentOutlinedIcon />,
    tagline: 'Benchmarks under the MedSSR protocol: accuracy per set, before and after training',
    render: () => <EvaluationPage />,
  },
  {
    path: 'settings',
    title: 'Settings',
    icon: <SettingsOutlinedIcon />,
    tagline: 'Data, knowledge base and appearance',
    render: ({ themePreference, onThemeChange }) => <SettingsPage themePreference={themePreference} onThemeChange={onThemeChange} />,
  },
] as const satisfies readonly PageDef[];

export type PagePath = (typeof pages)[number]['path'];

export const pagePaths: readonly PagePath[] = pages.map((p) => p.path);

export function pageFor(path: PagePath): PageDef {
  return pages.find((p) => p.path === path) ?? pages[0];
}
