/**
 * Gene-keyed questions (the causal gene, the confirming test): the key is a disease-causing gene of the disorder
 * or of a subtype, and the pedigree shown is one that gene's subtype is inherited in.
 */
import type { QuestionType } from '../../../api/synthesis.js';
import type { SynthDisorder, SynthGene } from '../disorderFacts.js';
import { pickDisorderChoices } from './choices.js';
import { canBeVignetteAnswer } from './eligibility.js';
import type { QuestionTypeModule } from './types.js';

export function keyableGenes(d: SynthDisorder): SynthGene[] {
  return d.causalGenes;
}

export function geneQuestion<T extends QuestionType>(id: T, question: string, show: (symbol: string) => string): QuestionTypeModule & { id: T } {
  return {
    id,
    question,
    eligible: (d) => canBeVignetteAnswer(d) && keyableGenes(d).length > 0,
    setup: (d, _difficulty, rng) => {
      const genes = keyableGenes(d);
      if (genes.length === 0) return 'no disease-causing gene';
      const gene = rng.pick(genes);
      return { gene, mode: gene.modes.length > 0 ? rng.pick(gene.modes) : null, familyHistory: true, avoidWords: [gene.symbol.toLowerCase()] };
    },
    options: (input) => {
      const gene = input.setup.gene;
      if (!gene) return 'no gene chosen';
      const { answer, rng } = input;
      const used = new Set<string>([gene.symbol]);
      const distractors = pickDisorderChoices(input, (d) => {
        const genes = d.causalGenes.filter((g) => !answer.allGeneSymbols.has(g.symbol) && !used.has(g.symbol));
        if (genes.length === 0) return null;
        const g = rng.pick(genes);
        used.add(g.symbol);
        return { text: show(g.symbol), orphaCode: d.orphaCode, fact: { kind: 'gene', orphaCode: d.orphaCode, value: g.symbol, detail: g.associationType } };
      });
      const detail = gene.subtype ? `${gene.associationType} (subtype ORPHA:${gene.subtype.orphaCode} ${gene.subtype.name})` : gene.associationType;
      return {
        correct: { text: show(gene.symbol), orphaCode: answer.orphaCode },
        distractors,
        facts: [{ kind: 'gene', orphaCode: answer.orphaCode, value: gene.symbol, detail }],
      };
    },
    namesNotInStem: (d, correct) => [correct, d.name, ...d.namesLower.filter((n) => n.length >= 4), ...d.causalGenes.map((g) => g.symbol)],
    cueWords: (_answer, facts) => (facts.keyedGene ? [facts.keyedGene.toLowerCase()] : []),
  };
}
