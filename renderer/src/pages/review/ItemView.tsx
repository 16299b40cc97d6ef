import { Accordion, AccordionDetails, AccordionSummary, Alert, Box, Chip, Divider, Link, Paper, Stack, Tooltip, Typography } from '@mui/material';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { Fragment, memo, type ReactNode } from 'react';
import type { DiffPart, ItemStatus, ReviewItem, SourceFact } from '../../../../api/review.js';
import { rejectReasonLabels } from '../../../../api/review.js';
import { hrefFor } from '../../routing.js';
import { containsTerm, phenotypePhrases, phenotypeTerm, splitMarked } from './phenotypeMarks.js';
import { VoteHistogram } from './VoteHistogram.js';

export const statusColors: Record<ItemStatus, 'default' | 'success' | 'info' | 'error' | 'warning' | 'secondary'> = {
  pending: 'default',
  accepted: 'success',
  corrected: 'info',
  rejected: 'error',
  skipped: 'warning',
  conflict: 'secondary',
};

/** Wraps every whole-term occurrence of the given phrases in <mark> (see phenotypeMarks.ts). */
function highlight(text: string, phrases: string[], testId: string): ReactNode {
  const parts = splitMarked(text, phrases);
  if (parts.length === 1) return text;
  return parts.map((part, i) =>
    i % 2 === 1 ? (
      <mark key={i} data-testid={testId}>
        {part}
      </mark>
    ) : (
      <Fragment key={i}>{part}</Fragment>
    ),
  );
}

/**
 * Marks the final-answer phrase of a reasoning trace (the last "The answer is X" or similar). For a recovered
 * sample that phrase was appended by the constrained recovery pass, not written by the model: it is marked as
 * such, never as the model's answer.
 */
function TraceText({ text, extracted, recovered }: { text: string; extracted: string | null; recovered: boolean }) {
  const re = /(the answer is\s*:?\s*\(?\**\[?([A-Z])\]?\**\)?|\\boxed\{([A-Z])\})/gi;
  let last: RegExpExecArray | null = null;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) last = m;
  if (!last) return <>{text}</>;
  if (recovered) {
    return (
      <>
        {text.slice(0, last.index)}
        <Box
          component="mark"
          title="Appended by the constrained recovery pass: the model did not write this answer"
          data-testid="trace-recovered-answer"
          sx={{ bgcolor: 'transparent', color: 'warning.dark', border: 1, borderStyle: 'dashed', borderColor: 'warning.main', px: 0.5 }}
        >
          {last[0]} (recovered, not written)
        </Box>
        {text.slice(last.index + last[0].length)}
      </>
    );
  }
  return (
    <>
      {text.slice(0, last.index)}
      <mark data-testid="trace-answer" style={{ fontWeight: 700 }}>
        {last[0]}
      </mark>
      {text.slice(last.index + last[0].length)}
      {extracted && (last[2] ?? last[3])?.toUpperCase() !== extracted ? ` [extracted: ${extracted}]` : ''}
    </>
  );
}

function Diff({ parts }: { parts: DiffPart[] }) {
  return (
    <Box component="span" sx={{ whiteSpace: 'pre-wrap' }}>
      {parts.map((p, i) =>
        p.op === 'same' ? (
          <Fragment key={i}>{p.text}</Fragment>
        ) : (
          <Box
            key={i}
            component={p.op === 'added' ? 'ins' : 'del'}
            sx={{ bgcolor: p.op === 'added' ? 'success.light' : 'error.light', color: 'common.black', textDecoration: p.op === 'removed' ? 'line-through' : 'none' }}
          >
            {p.text}
          </Box>
        ),
      )}
    </Box>
  );
}

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Box data-testid={testId} sx={{ mt: 2 }}>
      <Typography variant="overline" color="text.secondary" sx={{ lineHeight: 1.6 }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

export function AnswerBox({ title, letter, detail, color, testId }: { title: string; letter: string | null; detail: string; color: string; testId: string }) {
  return (
    <Paper variant="outlined" sx={{ flex: 1, p: 1.5, borderColor: color }} data-testid={testId}>
      <Typography variant="caption" color="text.secondary">
        {title}
      </Typography>
      <Typography variant="h5" sx={{ fontWeight: 700, color }} data-testid={`${testId}-letter`}>
        {letter ?? '—'}
      </Typography>
      <Typography variant="caption" color="text.secondary">
        {detail}
      </Typography>
    </Paper>
  );
}

/** Re-renders only for another item: onPick reads the current item itself, so a newer callback changes nothing. */
export const ItemView = memo(function ItemView({ item, onPick }: { item: ReviewItem; onPick(letter: string): void }) {
  const pl = item.pseudoLabel;
  const sampleCount = pl?.sampleCount ?? 0;
  const top = pl ? Math.max(0, ...Object.values(pl.votes)) : 0;
  const stemPhenotypes = phenotypePhrases(item.source.facts, item.source.disorders[0]?.orphaCode);
  const marked = new Set(stemPhenotypes.filter((p) => containsTerm(item.stem, p)).map((p) => p.toLowerCase()));
  // A chip is highlighted exactly when its term is marked in the stem.
  const answerCode = item.source.disorders[0]?.orphaCode;
  const inStem = (f: SourceFact) => f.kind === 'phenotype' && (answerCode === undefined || f.orphaCode === answerCode) && marked.has(phenotypeTerm(f).toLowerCase());
  const chosen = item.mine?.answer ?? null;
  return (
    <Box data-testid="review-item" data-question-id={item.questionId} data-status={item.status}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 0.5 }}>
        <Typography variant="subtitle2" sx={{ fontFamily: 'monospace' }} data-testid="item-id">
          {item.questionId}
        </Typography>
        <Chip size="small" label={`${item.datasetName} v${item.datasetVersion}`} variant="outlined" />
        <Chip size="small" label={item.questionType} variant="outlined" />
        <Chip size="small" label={item.difficulty} variant="outlined" />
        {item.reasoningProb !== null && <Chip size="small" label={`reasoning_prob ${item.reasoningProb.toFixed(3)}`} variant="outlined" data-testid="reasoning-prob" />}
        <Box sx={{ flex: 1 }} />
        <Chip size="small" label={item.status} color={statusColors[item.status]} data-testid="item-status" />
        {item.mine?.status === 'rejected' && item.mine.rejectReason && <Chip size="small" color="error" variant="outlined" label={rejectReasonLabels[item.mine.rejectReason]} />}
        {item.edits.length > 0 && <Chip size="small" color="info" variant="outlined" label={`edited v${item.edits.length}`} data-testid="edited-chip" />}
      </Stack>

      {item.status === 'conflict' && (
        <Alert severity="warning" sx={{ mt: 1 }} data-testid="conflict-banner">
          Reviewers disagree ({item.others.map((d) => `${d.reviewerName}: ${d.status === 'rejected' ? 'reject' : d.answer}`).join(', ')}). An admin’s decision here settles it as the adjudication.
        </Alert>
      )}
      <Typography variant="body1" sx={{ mt: 1.5, fontSize: 17, lineHeight: 1.6 }} data-testid="item-stem">
        {highlight(item.stem, stemPhenotypes, 'stem-phenotype')}
      </Typography>

      <Stack spacing={0.5} sx={{ mt: 1.5 }} data-testid="item-options">
        {item.options.map((o, i) => {
          const isPseudo = pl?.label === o.letter;
          const isIntended = item.intendedAnswer === o.letter;
          const isChosen = chosen === o.letter;
          return (
            <Paper
              key={o.letter}
              variant="outlined"
              onClick={() => onPick(o.letter)}
              data-testid="option"
              data-letter={o.letter}
              sx={{ px: 1.5, py: 0.75, display: 'flex', alignItems: 'center', gap: 1, cursor: 'pointer', borderColor: isChosen ? 'primary.main' : undefined, borderWidth: isChosen ? 2 : 1 }}
            >
              <Box component="kbd" sx={{ fontSize: 11, px: 0.6, border: 1, borderColor: 'divider', borderRadius: 0.5, color: 'text.secondary' }}>
                {i + 1}
              </Box>
              <Typography sx={{ fontWeight: 700, width: 20 }}>{o.letter}.</Typography>
              <Typography sx={{ flex: 1 }}>{o.text}</Typography>
              {isIntended && <Chip size="small" color="success" variant="outlined" label="intended" />}
              {isPseudo && <Chip size="small" color="primary" label={`pseudo-label ${pl ? `${pl.votes[o.letter] ?? 0}/${sampleCount}` : ''}`} />}
              {isChosen && <Chip size="small" color="primary" variant="outlined" label="your answer" />}
            </Paper>
          );
        })}
      </Stack>

      <Stack direction="row" spacing={1.5} sx={{ mt: 2 }}>
        <AnswerBox title="Intended answer (from the knowledge)" letter={item.intendedAnswer} detail="the disorder the question was built from" color="success.main" testId="intended-answer" />
        <AnswerBox
          title="Pseudo-label (model majority)"
          letter={pl?.label ?? null}
          detail={pl ? pseudoLabelDetail(pl, top) : 'not labelled yet'}
          color="primary.main"
          testId="pseudo-label"
        />
      </Stack>

      {pl && (
        <Section title={`Votes (${pl.written} of ${sampleCount} samples wrote an answer)`}>
          <HistogramSlot item={item} />
          <RecoveredLine recovered={pl.recovered} />
        </Section>
      )}

      {pl && pl.samples.length > 0 && (
        <Section title="Reasoning traces" testId="traces">
          {pl.samples.map((s) => (
            <Accordion key={s.index} disableGutters variant="outlined" slotProps={{ transition: { unmountOnExit: true } }} data-testid="trace">
              <AccordionSummary expandIcon={<ExpandMoreIcon />}>
                <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                  <Typography variant="body2">Sample {s.index + 1}</Typography>
                  {s.recovered ? (
                    // A recovered letter is not a written answer and takes no part in the vote: no "answer X" chip.
                    <Tooltip describeChild title={`The model wrote no answer; the constrained recovery pass forced ${s.extracted ?? 'a letter'}. Recovered letters are not votes.`}>
                      <Chip size="small" color="warning" variant="outlined" label={s.extracted ? `recovered ${s.extracted}` : 'recovered'} data-testid="trace-recovered" />
                    </Tooltip>
                  ) : (
                    <Chip size="small" label={s.extracted ? `answer ${s.extracted}` : 'no answer'} color={s.extracted !== null && s.extracted === pl.label ? 'primary' : 'default'} data-testid="trace-written" />
                  )}
                  <Typography variant="caption" color="text.secondary">
                    {s.tokens} tokens
                  </Typography>
                </Stack>
              </AccordionSummary>
              <AccordionDetails>
                <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', fontFamily: 'ui-monospace, monospace', fontSize: 12.5 }}>
                  <TraceText text={s.text} extracted={s.extracted} recovered={s.recovered} />
                </Typography>
              </AccordionDetails>
            </Accordion>
          ))}
        </Section>
      )}

      <Section title="Source knowledge" testId="source-knowledge">
        <Stack spacing={0.5}>
          {item.source.disorders.map((d, i) => (
            <Typography variant="body2" key={d.orphaCode}>
              <Link href={hrefFor('knowledge', d.orphaCode)}>ORPHA:{d.orphaCode}</Link> {d.name ?? '(not in the knowledge base)'} {i === 0 ? <Chip size="small" label="answer" sx={{ ml: 0.5 }} /> : <Chip size="small" variant="outlined" label="distractor" sx={{ ml: 0.5 }} />}
            </Typography>
          ))}
        </Stack>
        <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5, mt: 1 }}>
          {item.source.facts.map((f, i) => (
            <Chip
              key={i}
              size="small"
              data-testid={inStem(f) ? 'fact-in-stem' : 'fact'}
              color={inStem(f) ? 'warning' : 'default'}
              variant={inStem(f) ? 'filled' : 'outlined'}
              label={`${f.kind}: ${f.value}${f.detail ? ` · ${f.detail}` : ''}`}
            />
          ))}
        </Stack>
        <Typography variant="caption" color="text.secondary">
          Orphanet data © Orphanet 2025 (CC BY 4.0). Highlighted: the answer disorder’s phenotypes that appear in the stem.
        </Typography>
      </Section>

      {item.nearDuplicates.length > 0 && (
        <Section title="Near-duplicates" testId="near-duplicates">
          {item.nearDuplicates.map((d) => (
            <Typography variant="body2" key={`${d.datasetId}:${d.seq}`} color="text.secondary">
              <b>{d.questionId}</b> (Jaccard {d.jaccard.toFixed(2)}): {d.stem.slice(0, 160)}
              {d.stem.length > 160 ? '…' : ''}
            </Typography>
          ))}
        </Section>
      )}

      {(item.others.length > 0 || item.mine) && (
        <Section title="Decisions" testId="decisions">
          {[...(item.mine ? [item.mine] : []), ...item.others].map((d) => (
            <Typography variant="body2" key={d.reviewerId}>
              <b>{d.reviewerName}</b>: {d.status}
              {d.answer ? ` ${d.answer}` : ''}
              {d.rejectReason ? ` (${rejectReasonLabels[d.rejectReason]}${d.note ? `: ${d.note}` : ''})` : ''}
              {d.adjudication ? ' · adjudication' : ''} · {new Date(d.at).toLocaleString()}
            </Typography>
          ))}
        </Section>
      )}

      {item.edits.length > 0 && (
        <Section title="Edits" testId="edits">
          {item.edits.map((e) => (
            <Box key={e.auditId} sx={{ mb: 1 }}>
              <Typography variant="caption" color="text.secondary">
                v{e.version} by {e.reviewerName}, {new Date(e.at).toLocaleString()}
              </Typography>
              <Typography variant="body2">
                <Diff parts={e.stemDiff} />
              </Typography>
              {e.optionsDiff.some((p) => p.op !== 'same') && (
                <Typography variant="body2" component="div" sx={{ whiteSpace: 'pre-wrap' }}>
                  <Diff parts={e.optionsDiff} />
                </Typography>
              )}
            </Box>
          ))}
        </Section>
      )}

      {item.comments.length > 0 && (
        <Section title="Comments" testId="comments">
          {item.comments.map((c, i) => (
            <Typography variant="body2" key={i}>
              <b>{c.reviewerName}</b>: {c.text}
            </Typography>
          ))}
        </Section>
      )}
      <Divider sx={{ mt: 2 }} />
    </Box>
  );
}, (a, b) => a.item === b.item);


function HistogramSlot({ item }: { item: ReviewItem }) {
  const pl = item.pseudoLabel;
  if (!pl) return null;
  return <VoteHistogram letters={item.options.map((o) => o.letter)} votes={pl.votes} recovered={pl.recovered} pseudoLabel={pl.label} intended={item.intendedAnswer} />;
}

type ItemLabel = NonNullable<ReviewItem['pseudoLabel']>;

/** The share is of written answers only; a label resting on few of them says so. */
function pseudoLabelDetail(pl: ItemLabel, top: number): string {
  if (pl.voteShare === null) return `the model wrote no answer in ${pl.sampleCount} samples`;
  if (pl.tie) return `tie (${top}/${pl.sampleCount} each)`;
  const rare = pl.rarelyAnswered ? ` · model rarely answered (${pl.written}/${pl.sampleCount} wrote one)` : '';
  return `${top}/${pl.sampleCount} written votes · share ${pl.voteShare.toFixed(2)}${rare}`;
}

function RecoveredLine({ recovered }: { recovered: Record<string, number> }) {
  const entries = Object.entries(recovered).sort((a, b) => a[0].localeCompare(b[0]));
  if (entries.length === 0) return null;
  const n = entries.reduce((s, [, c]) => s + c, 0);
  return (
    <Typography variant="caption" color="text.secondary" data-testid="recovered-letters">
      {`Recovered by the constrained pass (not votes): ${n} — ${entries.map(([l, c]) => `${l}×${c}`).join(', ')}`}
    </Typography>
  );
}
