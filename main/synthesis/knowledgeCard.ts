/**
 * Knowledge cards: the facts about one rare disorder a seeded question may use, compact enough for a prompt,
 * each with a provenance id the generator must cite ("ORPHA:828#gene:COL2A1"). A question asserting anything
 * about the disorder that is not on its card is rejected.
 */
import type { ProvenanceFact } from '../../api/synthesis.js';
import type { SynthDisorder } from './disorderFacts.js';
import type { KnowledgeIndex } from './knowledgeIndex.js';

export interface CardFact extends ProvenanceFact {
  id: string;
  /** The fact as the prompt shows it. */
  text: string;
}

export interface KnowledgeCard {
  orphaCode: string;
  name: string;
  facts: CardFact[];
}

export const CARD_MAX_PHENOTYPES = 12;
const DEFINITION_CHARS = 600;

export function buildKnowledgeCard(index: KnowledgeIndex, d: SynthDisorder): KnowledgeCard {
  const base = `ORPHA:${d.orphaCode}`;
  const facts: CardFact[] = [];
  const add = (f: Omit<CardFact, 'orphaCode'>) => facts.push({ ...f, orphaCode: d.orphaCode });
  if (d.definition) {
    const text = d.definition.length > DEFINITION_CHARS ? `${d.definition.slice(0, DEFINITION_CHARS).replace(/\s+\S*$/, '')}…` : d.definition;
    add({ id: `${base}#definition`, kind: 'definition', value: 'definition', text: `Definition: ${text}` });
  }
  // The most frequent findings first: what the disorder looks like in most patients.
  for (const p of [...d.phenotypes].sort((a, b) => b.weight - a.weight).slice(0, CARD_MAX_PHENOTYPES)) {
    add({ id: `${base}#hpo:${p.hpoId}`, kind: 'phenotype', value: p.hpoId, detail: `${p.term} (${p.frequency})`, text: `Finding: ${p.term} (${p.frequency || 'frequency not given'})` });
  }
  for (const g of d.causalGenes) {
    const sub = g.subtype ? `, in the subtype ${g.subtype.name}` : '';
    add({ id: `${base}#gene:${g.symbol}`, kind: 'gene', value: g.symbol, detail: g.associationType, text: `Gene: ${g.symbol} (${g.associationType.toLowerCase()}${sub}; inherited ${g.modes.join(' or ') || 'somatically'})` });
  }
  d.rawInheritance.forEach((m, i) => add({ id: `${base}#inheritance:${i}`, kind: 'inheritance', value: m, text: `Inheritance: ${m}` }));
  d.onsets.forEach((o, i) => add({ id: `${base}#onset:${i}`, kind: 'onset', value: o, text: `Onset: ${o}` }));
  if (d.prevalenceClass !== 'Unknown') add({ id: `${base}#prevalence`, kind: 'prevalence', value: d.prevalenceClass, text: `Prevalence: ${d.prevalenceClass}` });
  const group = index.groups(d)[0];
  if (group) add({ id: `${base}#classification:${group.orphaCode}`, kind: 'classification', value: group.orphaCode, text: `Classified under: ${group.name}` });
  return { orphaCode: d.orphaCode, name: d.name, facts };
}

export function cardText(card: KnowledgeCard): string {
  return [`Rare disease: ${card.name} (ORPHA:${card.orphaCode})`, ...card.facts.map((f) => `[${f.id}] ${f.text}`)].join('\n');
}
