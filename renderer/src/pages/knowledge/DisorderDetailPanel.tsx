import OpenInNewIcon from '@mui/icons-material/OpenInNew';
import { Alert, Box, Button, Chip, CircularProgress, Stack, Typography } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import type { DisorderDetail } from '../../../../api/knowledge.js';
import { useApi } from '../../api/ApiContext.js';
import { errorMessage } from '../../api/clientError.js';
import { OrphanetAttribution } from '../../components/Attribution.js';
import { Empty, GeneTable, geneSummary, JumpLinks, LinkChips, PrevalenceTable, ReferenceTable, Section } from './DetailSections.js';
import { PhenotypeTable } from './PhenotypeTable.js';

type Load = { state: 'loading' } | { state: 'ready'; detail: DisorderDetail } | { state: 'missing' } | { state: 'error'; message: string };

function Fact({ label, values }: { label: string; values: string[] }) {
  return (
    <Box sx={{ minWidth: 180 }}>
      <Typography variant="overline" color="text.secondary" component="div">
        {label}
      </Typography>
      {values.length ? (
        <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5 }}>
          {values.map((v) => (
            <Chip key={v} label={v} size="small" />
          ))}
        </Stack>
      ) : (
        <Typography variant="body2" color="text.secondary">
          Not given
        </Typography>
      )}
    </Box>
  );
}

function DetailView({ detail }: { detail: DisorderDetail }) {
  const genes = geneSummary(detail.genes);
  return (
    <Box data-testid="disorder-detail" data-orpha={detail.orphaCode}>
      <Box sx={{ mb: 2 }}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.75, flexWrap: 'wrap', rowGap: 0.75 }}>
          <Chip label={`ORPHA:${detail.orphaCode}`} size="small" color="primary" variant="outlined" sx={{ fontVariantNumeric: 'tabular-nums' }} />
          <Chip label={detail.disorderType} size="small" />
          {detail.isDemo && <Chip label="demo" size="small" color="warning" data-testid="demo-badge" />}
          <Box sx={{ flex: 1 }} />
          {/* Orphanet's PURLs are http; the desktop shell opens only https links, and orpha.net serves both. */}
          {detail.purl && (
            <Button size="small" href={detail.purl.replace(/^http:\/\//i, 'https://')} target="_blank" rel="noopener noreferrer" endIcon={<OpenInNewIcon fontSize="small" />}>
              Orphanet
            </Button>
          )}
        </Stack>
        <Typography variant="h5" component="h1" data-testid="disorder-name">
          {detail.name}
        </Typography>
        {detail.synonyms.length > 0 && (
          <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }} data-testid="synonyms">
            Also known as {detail.synonyms.join(' · ')}
          </Typography>
        )}
        <JumpLinks titles={['Overview', 'Phenotypes', 'Genes', 'Prevalence', 'Classification', 'External references']} />
      </Box>

      <Section title="Overview">
        <Typography variant="body2" sx={{ lineHeight: 1.7, mb: 2, maxWidth: 900 }} data-testid="definition">
          {detail.definition ?? 'Orphanet gives no definition for this entry.'}
        </Typography>
        <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 3 }}>
          <Fact label="Inheritance" values={detail.inheritance} />
          <Fact label="Age of onset" values={detail.onsets} />
          <Box sx={{ minWidth: 180 }}>
            <Typography variant="overline" color="text.secondary" component="div">
              Classification branch
            </Typography>
            {detail.branches.length ? <LinkChips links={detail.branches} /> : <Empty>None</Empty>}
          </Box>
        </Stack>
      </Section>

      <Section title="Phenotypes" count={detail.phenotypes.length} testId="phenotypes-section">
        {detail.phenotypes.length ? <PhenotypeTable phenotypes={detail.phenotypes} /> : <Empty>Orphanet lists no HPO phenotypes for this entry.</Empty>}
      </Section>

      <Section title="Genes" count={genes.distinct} note={genes.note} testId="genes-section">
        {detail.genes.length ? <GeneTable genes={detail.genes} /> : <Empty>No gene associations.</Empty>}
      </Section>

      <Section title="Prevalence" count={detail.prevalences.length}>
        {detail.prevalences.length ? <PrevalenceTable prevalences={detail.prevalences} /> : <Empty>No prevalence data.</Empty>}
      </Section>

      <Section title="Classification">
        <Typography variant="overline" color="text.secondary" component="div">
          Parents · {detail.parents.length}
        </Typography>
        {detail.parents.length ? <LinkChips links={detail.parents} testId="parents" /> : <Empty>None (top of a classification).</Empty>}
        <Typography variant="overline" color="text.secondary" component="div" sx={{ mt: 1.5 }}>
          Children · {detail.children.length}
        </Typography>
        {detail.children.length ? <LinkChips links={detail.children} testId="children" /> : <Empty>None.</Empty>}
      </Section>

      <Section title="External references" count={detail.externalReferences.length}>
        {detail.externalReferences.length ? <ReferenceTable references={detail.externalReferences} /> : <Empty>No cross-references.</Empty>}
      </Section>

      <Box sx={{ pb: 3 }} data-testid="detail-attribution">
        <OrphanetAttribution version={detail.isDemo ? null : detail.source.version} />
        {detail.isDemo && (
          <Typography variant="caption" color="text.secondary" component="div">
            Demo entry written for MedSSR Studio from public facts; import the ORPHApackets for Orphanet’s full record.
          </Typography>
        )}
      </Box>
    </Box>
  );
}

export function DisorderDetailPanel({ orphaCode, version }: { orphaCode: string; version: number }) {
  const api = useApi();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const scrollRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let live = true;
    setLoad((prev) => (prev.state === 'ready' ? prev : { state: 'loading' }));
    api.call('knowledge.get', { orphaCode }).then(
      (detail) => {
        if (!live) return;
        setLoad(detail ? { state: 'ready', detail } : { state: 'missing' });
        scrollRef.current?.scrollTo({ top: 0 });
      },
      (err: unknown) => live && setLoad({ state: 'error', message: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [api, orphaCode, version]);

  const stale = load.state === 'ready' && load.detail.orphaCode !== orphaCode;
  return (
    <Box ref={scrollRef} sx={{ height: '100%', overflowY: 'auto', px: 3, py: 2.5, position: 'relative' }}>
      {stale && <CircularProgress size={20} sx={{ position: 'absolute', right: 24, top: 20 }} />}
      {load.state === 'loading' && (
        <Box sx={{ display: 'grid', placeItems: 'center', height: '40%' }}>
          <CircularProgress size={28} />
        </Box>
      )}
      {load.state === 'missing' && <Alert severity="info">ORPHA:{orphaCode} is not in the knowledge base.</Alert>}
      {load.state === 'error' && <Alert severity="error">{load.message}</Alert>}
      {load.state === 'ready' && (
        <Box sx={{ opacity: stale ? 0.55 : 1, transition: 'opacity 120ms' }}>
          <DetailView detail={load.detail} />
        </Box>
      )}
    </Box>
  );
}
