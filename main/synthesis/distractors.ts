/**
 * Candidate distractor disorders in the order a difficulty asks for: hard = highest phenotype overlap
 * (Jaccard over HPO ids), medium = the most specific classification group the answer shares with others (never a
 * head such as "Rare genetic disease"), easy = anywhere. Parents, children and
 * same-named entries are never offered: a subtype of the answer is not a wrong answer.
 */
import type { Difficulty } from '../../api/synthesis.js';
import type { SynthDisorder } from './disorderFacts.js';
import type { KnowledgeIndex } from './knowledgeIndex.js';
import type { Rng } from './rng.js';

export function acceptable(answer: SynthDisorder, d: SynthDisorder): boolean {
  return (
    d.orphaCode !== answer.orphaCode &&
    !answer.related.has(d.orphaCode) &&
    !d.related.has(answer.orphaCode) &&
    d.name.toLowerCase() !== answer.name.toLowerCase()
  );
}

export function* distractorCandidates(index: KnowledgeIndex, answer: SynthDisorder, difficulty: Difficulty, rng: Rng): Generator<SynthDisorder> {
  if (difficulty === 'hard') {
    for (const s of index.similar(answer)) if (acceptable(answer, s.disorder)) yield s.disorder;
    return;
  }
  if (difficulty === 'medium') {
    // The most specific classification group first: its members are the look-alikes a clinician would weigh.
    const offered = new Set<string>();
    for (const g of index.groups(answer)) {
      for (const d of rng.shuffle([...g.members])) {
        if (offered.has(d.orphaCode)) continue;
        offered.add(d.orphaCode);
        if (acceptable(answer, d)) yield d;
      }
    }
    return;
  }
  yield* probe([index.distractorPool], answer, rng);
}

/**
 * Random probes into the candidate lists (cheap even for a branch of thousands), then one shuffled pass over
 * whatever was not probed, so the stream still ends after every candidate was offered once.
 */
function* probe(lists: SynthDisorder[][], answer: SynthDisorder, rng: Rng): Generator<SynthDisorder> {
  const sizes = lists.map((l) => l.length);
  const tried = new Set<string>();
  for (let probes = 0; probes < 200; probes++) {
    const list = lists[rng.weighted(sizes)] as SynthDisorder[];
    const d = list[rng.int(list.length)] as SynthDisorder;
    if (tried.has(d.orphaCode)) continue;
    tried.add(d.orphaCode);
    if (acceptable(answer, d)) yield d;
  }
  const rest = new Map<string, SynthDisorder>();
  for (const l of lists) for (const d of l) if (!tried.has(d.orphaCode)) rest.set(d.orphaCode, d);
  for (const d of rng.shuffle([...rest.values()])) if (acceptable(answer, d)) yield d;
}
