/**
 * Parses benchmark files in MedSSR's format: a JSON array of `{ id, question, gold, name }` where the question
 * ends with one "A. …" line per option. Extra fields are kept; malformed entries are reported all together,
 * each named by file, position and id, and nothing of a file with errors is stored.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BenchmarkOption } from '../../api/evaluation.js';
import { describeJsonError } from './jsonText.js';

export interface ParsedBenchmarkQuestion {
  externalId: string;
  /** The question exactly as in the file: it is the prompt the model sees. */
  question: string;
  gold: string;
  options: BenchmarkOption[];
  /** Fields other than id, question, gold and name. */
  extra: Record<string, unknown> | null;
}

export interface ParsedBenchmarkSet {
  name: string;
  questions: ParsedBenchmarkQuestion[];
  /** Sorted gold letters of the set: what MedSSR's recovery pass allows. */
  letters: string[];
  sha256: string;
}

export interface ParsedBenchmarkFile {
  sets: ParsedBenchmarkSet[];
  warnings: string[];
}

export class BenchmarkFormatError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    const shown = issues.slice(0, 10);
    const more = issues.length > shown.length ? `\n… and ${issues.length - shown.length} more` : '';
    super(`${file} is not a valid MedSSR benchmark file:\n${shown.join('\n')}${more}`);
    this.name = 'BenchmarkFormatError';
  }
}

/** Longest question (stem and options) accepted; MedSSR's longest are a few thousand characters. */
export const MAX_QUESTION_CHARS = 100_000;
/** More options than this is accepted with a warning (MedSSR's six sets have 2 to 10). */
const MAX_USUAL_OPTIONS = 10;

const OPTION_LINE = /^\s*([A-Z])[.)]\s+(.*\S)\s*$/;

/**
 * Options are the last run of lines "A. …", "B. …", … in order. Anything after them (a stray quote in a few
 * MedQA entries) stays in the prompt and is reported as a warning.
 */
export function parseOptions(question: string): { options: BenchmarkOption[]; trailing: string } {
  const lines = question.split(/\r?\n/);
  for (let start = lines.length - 1; start >= 0; start--) {
    const first = OPTION_LINE.exec(lines[start] as string);
    if (!first || first[1] !== 'A') continue;
    const options: BenchmarkOption[] = [];
    let i = start;
    for (; i < lines.length; i++) {
      const m = OPTION_LINE.exec(lines[i] as string);
      if (!m || m[1] !== String.fromCharCode(65 + options.length)) break;
      options.push({ letter: m[1], text: m[2] as string });
    }
    return { options, trailing: lines.slice(i).join('\n').trim() };
  }
  return { options: [], trailing: '' };
}

function describeEntry(index: number, raw: unknown): string {
  const id = typeof raw === 'object' && raw !== null && 'id' in raw ? (raw as { id: unknown }).id : undefined;
  return `entry ${index + 1}${typeof id === 'string' || typeof id === 'number' ? ` (id "${String(id)}")` : ''}`;
}

/** Fallback set name for entries without `name`: the file name without MedSSR's "test_short_" prefix. */
export function setNameFromFile(file: string): string {
  return path.basename(file).replace(/\.json$/i, '').replace(/^test_short_/, '') || 'benchmark';
}

export function parseBenchmarkText(text: string, file: string): ParsedBenchmarkFile {
  let data: unknown;
  const json = text.replace(/^\uFEFF/, '');
  try {
    data = JSON.parse(json);
  } catch (err) {
    // By position only: V8's message quotes the file, which may be anything someone pointed the import at.
    throw new BenchmarkFormatError(file, [describeJsonError(json, err)]);
  }
  if (!Array.isArray(data)) {
    throw new BenchmarkFormatError(file, [`expected a JSON array of questions, found ${data === null ? 'null' : typeof data}`]);
  }
  if (data.length === 0) throw new BenchmarkFormatError(file, ['the array holds no questions']);
  const issues: string[] = [];
  const warnings: string[] = [];
  const bySet = new Map<string, ParsedBenchmarkQuestion[]>();
  const seenIds = new Map<string, Set<string>>();
  const fallbackName = setNameFromFile(file);
  data.forEach((raw: unknown, index) => {
    const where = describeEntry(index, raw);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      issues.push(`${where}: expected an object, found ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
      return;
    }
    const { id, question, gold, name, ...rest } = raw as Record<string, unknown>;
    const problems: string[] = [];
    if (!(typeof id === 'string' && id.trim()) && !(typeof id === 'number' && Number.isFinite(id))) problems.push('"id" must be a non-empty string or a number');
    if (typeof question !== 'string' || !question.trim()) problems.push('"question" must be a non-empty string');
    else if (question.length > MAX_QUESTION_CHARS) {
      problems.push(`"question" is ${question.length.toLocaleString('en-US')} characters long; at most ${MAX_QUESTION_CHARS.toLocaleString('en-US')} are accepted`);
    }
    const goldLetter = typeof gold === 'string' ? gold.trim().replace(/\.+$/, '').toUpperCase() : '';
    // MedSSR's files write capitals; a lower-case letter is read as its capital, and said so.
    if (typeof gold === 'string' && /^[a-z]$/.test(gold.trim().replace(/\.+$/, ''))) warnings.push(`${where}: "gold" ${JSON.stringify(gold)} is read as ${goldLetter}`);
    if (!/^[A-Z]$/.test(goldLetter)) problems.push(`"gold" must be one answer letter, found ${JSON.stringify(gold ?? null)}`);
    if (name !== undefined && name !== null && (typeof name !== 'string' || !name.trim())) problems.push('"name" must be a non-empty string when present');
    let options: BenchmarkOption[] = [];
    if (typeof question === 'string' && question.trim() && question.length <= MAX_QUESTION_CHARS) {
      const parsed = parseOptions(question);
      options = parsed.options;
      if (options.length < 2) problems.push('the question has no option lines ("A. …", "B. …" on their own lines)');
      else if (options.length > MAX_USUAL_OPTIONS) warnings.push(`${where}: ${options.length} options (A–${options[options.length - 1]?.letter}); MedSSR's sets have at most ${MAX_USUAL_OPTIONS}`);
      else if (parsed.trailing) warnings.push(`${where}: text after the options is kept in the prompt: ${JSON.stringify(parsed.trailing.slice(0, 40))}`);
      if (options.length >= 2 && /^[A-Z]$/.test(goldLetter) && !options.some((o) => o.letter === goldLetter)) {
        problems.push(`"gold" is ${goldLetter} but the options are ${options[0]?.letter}–${options[options.length - 1]?.letter}`);
      }
    }
    if (problems.length) {
      issues.push(`${where}: ${problems.join('; ')}`);
      return;
    }
    const setName = typeof name === 'string' ? name.trim() : fallbackName;
    const externalId = String(id).trim();
    const ids = seenIds.get(setName) ?? new Set<string>();
    if (ids.has(externalId)) {
      issues.push(`${where}: duplicate id "${externalId}" in set "${setName}"`);
      return;
    }
    ids.add(externalId);
    seenIds.set(setName, ids);
    const list = bySet.get(setName) ?? [];
    list.push({ externalId, question: question as string, gold: goldLetter, options, extra: Object.keys(rest).length ? rest : null });
    bySet.set(setName, list);
  });
  if (issues.length) throw new BenchmarkFormatError(file, issues);
  const sets = [...bySet].map(([name, questions]): ParsedBenchmarkSet => {
    const hash = createHash('sha256');
    for (const q of questions) hash.update(JSON.stringify([q.externalId, q.question, q.gold])).update('\n');
    return { name, questions, letters: [...new Set(questions.map((q) => q.gold))].sort(), sha256: hash.digest('hex') };
  });
  return { sets, warnings };
}
