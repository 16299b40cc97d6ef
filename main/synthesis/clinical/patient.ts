/**
 * The patient a stem describes: ages drawn from Orphanet onset classes, the phrase a vignette opens with, and
 * the reverse (age and sex read back from any stem, whoever wrote it) so the checker judges the text itself.
 */
import type { Sex } from './findings.js';

/** Age range in years for each Orphanet onset class (presentation at or after onset, within the class). */
export const onsetAgeRanges: Record<string, [number, number]> = {
  antenatal: [0, 28 / 365],
  neonatal: [2 / 365, 27 / 365],
  infancy: [2 / 12, 22 / 12],
  childhood: [2, 11],
  adolescent: [12, 17],
  adult: [19, 64],
  elderly: [65, 85],
  'all ages': [1, 60],
};

export function onsetRange(onset: string): [number, number] | null {
  const o = onset.trim().toLowerCase();
  for (const [k, r] of Object.entries(onsetAgeRanges)) if (o.startsWith(k)) return r;
  return null;
}

export interface Patient {
  sex: Sex;
  ageYears: number;
  phrase: string;
  child: boolean;
}

/** A patient aged inside the onset class ("All ages" and unknown onset: 1 to 60 years). */
export function patientFor(int: (lo: number, hi: number) => number, onset: string | null, sex: Sex): Patient {
  const kid = sex === 'male' ? 'boy' : 'girl';
  const grown = sex === 'male' ? 'man' : 'woman';
  const o = (onset ?? '').toLowerCase();
  if (o.startsWith('antenatal')) return { sex, ageYears: 0, phrase: `newborn ${kid}`, child: true };
  if (o.startsWith('neonatal')) {
    const days = int(2, 27);
    return { sex, ageYears: days / 365, phrase: `${days}-day-old ${kid}`, child: true };
  }
  if (o.startsWith('infancy')) {
    const months = int(2, 22);
    return { sex, ageYears: months / 12, phrase: `${months}-month-old ${kid}`, child: true };
  }
  const [lo, hi] = onsetRange(o) ?? [1, 60];
  const years = int(lo, hi);
  return years < 18 ? { sex, ageYears: years, phrase: `${years}-year-old ${kid}`, child: true } : { sex, ageYears: years, phrase: `${years}-year-old ${grown}`, child: false };
}

const agePhrase = /\b(\d{1,3})[- ](day|week|month|year)s?[- ]old\b/i;
const sexWords: [RegExp, Sex][] = [
  [/\b(boy|man|male|gentleman|son|brother|father|husband|he|his|him)\b/i, 'male'],
  [/\b(girl|woman|female|lady|daughter|sister|mother|wife|she|her)\b/i, 'female'],
];

/** Age and sex of the patient as the stem's first sentence states them (null when it does not). */
export function readPatient(stem: string): { sex: Sex | null; ageYears: number | null } {
  const first = stem.split(/(?<=[.?!])\s/)[0] ?? stem;
  let ageYears: number | null = null;
  const m = agePhrase.exec(first);
  if (m) {
    const n = Number(m[1]);
    const unit = (m[2] as string).toLowerCase();
    ageYears = unit === 'day' ? n / 365 : unit === 'week' ? (n * 7) / 365 : unit === 'month' ? n / 12 : n;
  } else if (/\b(newborn|neonate)\b/i.test(first)) ageYears = 0;
  let sex: Sex | null = null;
  let at = Infinity;
  for (const [re, s] of sexWords) {
    const hit = re.exec(first);
    if (hit && hit.index < at) {
      at = hit.index;
      sex = s;
    }
  }
  return { sex, ageYears };
}
