import { Alert, Box, FormControlLabel, MenuItem, Stack, Switch, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import type { PlanReport } from '../../../../api/synthesis.js';
import { clampCount, dimensionLabels, droppedDimensions, editableDimensionList, fixedDimensions, plannedPerValue, type DimensionValue, type EditableDimension, type PlanDraft } from './planState.js';

export interface PlanEditorProps {
  draft: PlanDraft;
  onChange(d: PlanDraft): void;
  /** The live allocation: the exact number of questions planned per value, shown beside its weight. */
  preview: PlanReport | null;
  /** Values of the dimensions the knowledge base defines (branches with their names, disorder types); null while loading. */
  knowledgeValues: { branch: DimensionValue[]; disorderType: DimensionValue[] } | null;
}

function valuesOf(dim: EditableDimension, knowledge: PlanEditorProps['knowledgeValues']): DimensionValue[] {
  if (dim === 'branch' || dim === 'disorderType') return knowledge?.[dim] ?? [];
  return fixedDimensions[dim].map((v) => ({ value: v, label: v }));
}

/**
 * Count, options per question and one weight per value of each dimension the user constrains. Nothing is
 * changed silently: a clamped count or weight says what was used instead, and a constrained dimension whose
 * weights are all 0 is named as left out of the plan.
 */
export function PlanEditor({ draft, onChange, preview, knowledgeValues }: PlanEditorProps) {
  const [countText, setCountText] = useState(String(draft.count));
  const [countNote, setCountNote] = useState<string | null>(null);
  const [weightNote, setWeightNote] = useState<string | null>(null);
  const setWeight = (dim: EditableDimension, value: string, raw: string) => {
    const w = Number(raw);
    const ok = raw.trim() !== '' && Number.isFinite(w) && w >= 0;
    setWeightNote(ok || raw.trim() === '' ? null : `${dimensionLabels[dim]} "${value}": "${raw}" is not a weight of 0 or more, using 0`);
    onChange({ ...draft, weights: { ...draft.weights, [dim]: { ...draft.weights[dim], [value]: ok ? w : 0 } } });
  };
  const toggle = (dim: EditableDimension, on: boolean) => {
    const weights = draft.weights[dim];
    // Branch and disorder type start even: every value the knowledge base has, weight 1.
    const filled = on && Object.keys(weights).length === 0 ? Object.fromEntries(valuesOf(dim, knowledgeValues).map((v) => [v.value, 1])) : weights;
    onChange({ ...draft, enabled: { ...draft.enabled, [dim]: on }, weights: { ...draft.weights, [dim]: filled } });
  };
  const dropped = droppedDimensions(draft);
  return (
    <Stack spacing={2} data-testid="plan-editor">
      <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
        <TextField
          label="Questions"
          type="number"
          size="small"
          value={countText}
          onChange={(e) => {
            setCountText(e.target.value);
            if (e.target.value.trim() === '') return;
            const { count, note } = clampCount(e.target.value);
            setCountNote(note);
            onChange({ ...draft, count });
          }}
          onBlur={() => setCountText(String(draft.count))}
          slotProps={{ htmlInput: { min: 1, max: 200000, 'data-testid': 'plan-count' } }}
          sx={{ width: 140 }}
        />
        <TextField select label="Options" size="small" value={draft.optionCount} onChange={(e) => onChange({ ...draft, optionCount: Number(e.target.value) === 4 ? 4 : 5 })} sx={{ width: 110 }}>
          <MenuItem value={4}>4 (A–D)</MenuItem>
          <MenuItem value={5}>5 (A–E)</MenuItem>
        </TextField>
      </Stack>
      {countNote && (
        <Alert severity="info" data-testid="plan-count-note" sx={{ py: 0 }}>
          {countNote}
        </Alert>
      )}
      {weightNote && (
        <Alert severity="info" data-testid="plan-weight-note" sx={{ py: 0 }}>
          {weightNote}
        </Alert>
      )}
      {dropped.length > 0 && (
        <Alert severity="warning" data-testid="plan-dropped" sx={{ py: 0 }}>
          {dropped.map((d) => dimensionLabels[d]).join(', ')}: every weight is 0, so the plan leaves {dropped.length === 1 ? 'it' : 'them'} unconstrained. Give a value a weight above 0 to constrain it.
        </Alert>
      )}
      {editableDimensionList.map((dim) => {
        const values = valuesOf(dim, knowledgeValues);
        const planned = plannedPerValue(preview, dim);
        const loading = (dim === 'branch' || dim === 'disorderType') && knowledgeValues === null;
        return (
          <Box key={dim} data-testid={`plan-dim-${dim}`}>
            <FormControlLabel
              control={<Switch size="small" checked={draft.enabled[dim]} disabled={loading} onChange={(e) => toggle(dim, e.target.checked)} />}
              label={
                <Typography variant="body2" sx={{ fontWeight: 600 }}>
                  {dimensionLabels[dim]}
                  {draft.enabled[dim] ? '' : ' — no constraint'}
                  {loading ? ' (loading values…)' : ''}
                </Typography>
              }
            />
            {draft.enabled[dim] && (
              <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1, mt: 0.5 }}>
                {values.map(({ value, label }) => {
                  const w = draft.weights[dim][value] ?? 0;
                  const n = planned.get(value);
                  return (
                    <TextField
                      key={value}
                      label={label}
                      type="number"
                      size="small"
                      value={w}
                      onChange={(e) => setWeight(dim, value, e.target.value)}
                      helperText={w > 0 ? (n === undefined ? ' ' : `${n.toLocaleString()} planned`) : 'not generated'}
                      slotProps={{ htmlInput: { min: 0, step: 0.05, 'data-testid': `weight-${dim}-${value}` }, formHelperText: { 'data-testid': `planned-${dim}-${value}` } as object }}
                      sx={{ width: dim === 'branch' ? 210 : 150 }}
                    />
                  );
                })}
              </Stack>
            )}
          </Box>
        );
      })}
    </Stack>
  );
}
