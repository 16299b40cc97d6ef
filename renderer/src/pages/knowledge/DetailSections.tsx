import { Box, Chip, Link, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useState, type ReactNode } from 'react';
import type { DisorderLink, ExternalReference, GeneAssociation, Prevalence } from '../../../../api/knowledge.js';
import { hrefFor } from '../../routing.js';

export function sectionId(title: string): string {
  return `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** Moves the focus (and the view) to a section: keyboard users reach Genes in a few tab stops, not 80. */
export function JumpLinks({ titles }: { titles: string[] }) {
  return (
    <Stack component="nav" aria-label="On this page" direction="row" spacing={1.5} useFlexGap sx={{ flexWrap: 'wrap', rowGap: 0.25, mt: 1, alignItems: 'baseline' }} data-testid="section-jumps">
      <Typography variant="caption" color="text.secondary">
        On this page:
      </Typography>
      {titles.map((t) => (
        <Link
          key={t}
          component="button"
          type="button"
          variant="caption"
          underline="hover"
          onClick={() => {
            const el = document.getElementById(sectionId(t));
            el?.scrollIntoView({ block: 'start' });
            el?.focus({ preventScroll: true });
          }}
        >
          {t}
        </Link>
      ))}
    </Stack>
  );
}

export function Section({ title, count, note, children, testId }: { title: string; count?: number; note?: string; children: ReactNode; testId?: string }) {
  return (
    // Focusable (not a tab stop) so the "On this page" links can move the keyboard focus here.
    <Paper variant="outlined" sx={{ p: 2, mb: 2, scrollMarginTop: 8, '&:focus': { outline: 'none' }, '&:focus-visible': { outline: 2, outlineColor: 'primary.main' } }} data-testid={testId} component="section" id={sectionId(title)} tabIndex={-1} aria-label={title}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline', mb: 1.25 }}>
        <Typography variant="h6" component="h2">
          {title}
        </Typography>
        {count !== undefined && (
          <Typography variant="body2" color="text.secondary" data-testid={testId ? `${testId}-count` : undefined}>
            {count.toLocaleString()}
          </Typography>
        )}
        {note && (
          <Typography variant="caption" color="text.secondary" data-testid={testId ? `${testId}-note` : undefined}>
            {note}
          </Typography>
        )}
      </Stack>
      {children}
    </Paper>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="text.secondary">
      {children}
    </Typography>
  );
}

const chipLimit = 40;

export function LinkChips({ links, testId }: { links: DisorderLink[]; testId?: string }) {
  const [expanded, setExpanded] = useState(false);
  const shown = expanded ? links : links.slice(0, chipLimit);
  return (
    <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.75 }} data-testid={testId}>
      {shown.map((l) =>
        l.present ? (
          <Chip
            key={l.orphaCode}
            component="a"
            href={hrefFor('knowledge', l.orphaCode)}
            clickable
            size="small"
            variant="outlined"
            label={l.name}
            title={`ORPHA:${l.orphaCode}`}
            data-orpha={l.orphaCode}
          />
        ) : (
          <Chip key={l.orphaCode} size="small" label={l.name} title={`ORPHA:${l.orphaCode} is not in the imported set`} disabled />
        ),
      )}
      {links.length > chipLimit && (
        <Chip size="small" color="primary" label={expanded ? 'Show fewer' : `Show all ${links.length}`} onClick={() => setExpanded(!expanded)} />
      )}
    </Stack>
  );
}

function externalGeneLink(g: GeneAssociation): ReactNode {
  if (!g.hgncId) return '—';
  const id = g.hgncId.replace(/^HGNC:/i, '');
  return (
    <Link href={`https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:${encodeURIComponent(id)}`} target="_blank" rel="noopener noreferrer" underline="hover">
      HGNC:{id}
    </Link>
  );
}

/**
 * The gene count the result row shows is the number of distinct gene symbols, the subtypes' genes included;
 * the table has one row per association (a gene listed for two subtypes is two rows). The section heading
 * shows the same distinct count and says what the rows add, so "23 genes" in the list is "Genes 23" here.
 */
export function geneSummary(genes: GeneAssociation[]): { distinct: number; note: string | undefined } {
  const distinct = new Set(genes.map((g) => g.symbol)).size;
  const viaSubtype = new Set(genes.filter((g) => g.viaChild).map((g) => g.symbol));
  const own = new Set(genes.filter((g) => !g.viaChild).map((g) => g.symbol));
  const onlyVia = [...viaSubtype].filter((s) => !own.has(s)).length;
  const parts: string[] = [];
  if (onlyVia > 0) parts.push(onlyVia === distinct ? 'all through its subtypes' : `${onlyVia} only through its subtypes`);
  if (genes.length !== distinct) parts.push(`${genes.length} associations listed`);
  return { distinct, note: parts.length ? `distinct genes · ${parts.join(' · ')}` : undefined };
}

export function GeneTable({ genes }: { genes: GeneAssociation[] }) {
  return (
    <Table size="small" data-testid="gene-table">
      <TableHead>
        <TableRow>
          <TableCell>Gene</TableCell>
          <TableCell>Association</TableCell>
          <TableCell>HGNC</TableCell>
          <TableCell>OMIM</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {genes.map((g) => (
          <TableRow key={`${g.symbol}-${g.viaChild?.orphaCode ?? ''}-${g.associationType}`} hover>
            <TableCell>
              <Typography variant="body2" sx={{ fontWeight: 650 }}>
                {g.symbol}
              </Typography>
              <Typography variant="caption" color="text.secondary">
                {g.name}
              </Typography>
            </TableCell>
            <TableCell>
              {g.associationType}
              {g.viaChild && (
                <Typography variant="caption" color="text.secondary" component="div">
                  via subtype{' '}
                  <Link href={hrefFor('knowledge', g.viaChild.orphaCode)} underline="hover">
                    {g.viaChild.name}
                  </Link>
                </Typography>
              )}
            </TableCell>
            <TableCell>{externalGeneLink(g)}</TableCell>
            <TableCell>
              {g.omimId ? (
                <Link href={`https://omim.org/entry/${encodeURIComponent(g.omimId)}`} target="_blank" rel="noopener noreferrer" underline="hover">
                  {g.omimId}
                </Link>
              ) : (
                '—'
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

const sourceKinds: Record<string, string> = { EXPERT: 'expert opinion', REG: '(registry)', INST: '(institution)' };

function PubMedLink({ pmid }: { pmid: string }) {
  // https only: the desktop shell opens nothing else in the system browser (main/electron/security.ts).
  return (
    <Link href={`https://pubmed.ncbi.nlm.nih.gov/${pmid}/`} target="_blank" rel="noopener noreferrer" underline="hover" data-testid="pmid-link">
      PMID {pmid}
    </Link>
  );
}

/**
 * Orphanet's prevalence source, e.g. "ORPHANET_18957854[PMID]", "[EXPERT]_568179[PMID]_14477077[PMID]",
 * "PMID reference: 29474920, 31859446": the parts joined by "_", each PubMed id a link.
 */
export function SourceText({ source }: { source: string }) {
  const nodes: ReactNode[] = [];
  source.split('_').forEach((raw, i) => {
    const part = raw.trim();
    if (!part) return;
    if (nodes.length) nodes.push(' · ');
    const one = /^(\d{1,9}),?\s*\[PMID\]$/i.exec(part);
    const list = /^PMID(?: references?)?\s*:\s*([\d,\s]+)$/i.exec(part);
    if (one) nodes.push(<PubMedLink key={i} pmid={one[1] as string} />);
    else if (list) {
      (list[1] as string).split(/[,\s]+/).filter(Boolean).forEach((pmid, k) => {
        if (k) nodes.push(', ');
        nodes.push(<PubMedLink key={`${i}-${k}`} pmid={pmid} />);
      });
    } else nodes.push(part.replace(/\[(EXPERT|REG|INST)\]/g, (_, t: string) => sourceKinds[t] ?? t).trim());
  });
  return <>{nodes}</>;
}

export function PrevalenceTable({ prevalences }: { prevalences: Prevalence[] }) {
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <Table size="small" data-testid="prevalence-table">
        <TableHead>
          <TableRow>
            <TableCell>Type</TableCell>
            <TableCell>Class</TableCell>
            <TableCell>Mean</TableCell>
            <TableCell>Geography</TableCell>
            <TableCell>Qualification</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {prevalences.map((p, i) => (
            <TableRow key={i} hover>
              <TableCell>
                {p.prevalenceType}
                {(p.source || p.validationStatus) && (
                  <Typography variant="caption" color="text.secondary" component="div" sx={{ overflowWrap: 'anywhere' }}>
                    {p.source && (
                      <>
                        Source: <SourceText source={p.source} />
                      </>
                    )}
                    {p.source && p.validationStatus ? ' · ' : ''}
                    {p.validationStatus}
                  </Typography>
                )}
              </TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{p.prevalenceClass ?? '—'}</TableCell>
              <TableCell sx={{ fontVariantNumeric: 'tabular-nums' }}>{p.meanValue ?? '—'}</TableCell>
              <TableCell>{p.geographic ?? '—'}</TableCell>
              <TableCell>{p.qualification}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function referenceUrl(r: ExternalReference): string | null {
  const ref = encodeURIComponent(r.reference);
  switch (r.source.toUpperCase()) {
    case 'OMIM':
      return `https://omim.org/entry/${ref}`;
    case 'ICD-10':
      return `https://icd.who.int/browse10/2019/en#/${ref}`;
    case 'UMLS':
      return null;
    case 'MESH':
      return `https://meshb.nlm.nih.gov/record/ui?ui=${ref}`;
    case 'GARD':
      return `https://rarediseases.info.nih.gov/diseases/${ref}/index`;
    case 'MEDDRA':
      return null;
    default:
      return null;
  }
}

export function ReferenceTable({ references }: { references: ExternalReference[] }) {
  return (
    <Table size="small" data-testid="reference-table">
      <TableHead>
        <TableRow>
          <TableCell>Source</TableCell>
          <TableCell>Reference</TableCell>
          <TableCell>Mapping</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {references.map((r) => {
          const url = referenceUrl(r);
          return (
            <TableRow key={`${r.source}-${r.reference}`} hover>
              <TableCell sx={{ fontWeight: 600 }}>{r.source}</TableCell>
              <TableCell sx={{ fontVariantNumeric: 'tabular-nums' }}>
                {url ? (
                  <Link href={url} target="_blank" rel="noopener noreferrer" underline="hover">
                    {r.reference}
                  </Link>
                ) : (
                  r.reference
                )}
              </TableCell>
              <TableCell sx={{ color: 'text.secondary' }}>{r.mappingRelation ?? '—'}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
