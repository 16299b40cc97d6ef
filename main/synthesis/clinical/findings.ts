/**
 * Medical-consistency knowledge about single findings (HPO labels as Orphanet writes them): which sex a finding
 * belongs to, the youngest age at which it can be observed or reported, and the words that carry its meaning.
 * The template generator uses these to choose findings and the question checker uses the same predicates to
 * judge any question, so a generator cannot pass by sharing a bug with its judge only if the rules are simple
 * enough to read: each one is a named, listed pattern.
 */

export type Sex = 'male' | 'female';

/** Per-label results are pure and the vocabulary is ~9,000 labels: cache them (synthesis asks millions of times). */
function memo<R>(f: (term: string) => R): (term: string) => R {
  const cache = new Map<string, R>();
  return (term) => {
    let r = cache.get(term);
    if (r === undefined && !cache.has(term)) {
      r = f(term);
      if (cache.size > 50_000) cache.clear();
      cache.set(term, r);
    }
    return r as R;
  };
}

/** Anatomy and functions that exist in one sex only. */
const femaleOnly =
  /\b(ovar\w*|uter\w*|endometri\w*|menstr\w*|\w*menorrh\w*|menarche|vagin\w*|vulv\w*|clitor\w*|labia\w*|fallopian|pregnan\w*|miscarriage\w*|abortion\w*|pre-?eclampsia|hirsutism|female libido|mullerian|müllerian|hydrometrocolpos|gestational)\b/i;
const maleOnly =
  /\b(test[ie]s|testic\w*|testis|scrot\w*|penis|penile|micropenis|\w*sperm\w*|cryptorchid\w*|hypospadias|epispadias|prostat\w*|epididym\w*|male libido|erectile|impotence|gynecomastia|hydrocele|varicocele|vas deferens|seminal|orchi\w*|anorchia|chordee|bifid scrotum)\b/i;

export const sexOfFinding = memo((term: string): Sex | null => {
  if (femaleOnly.test(term)) return 'female';
  if (maleOnly.test(term)) return 'male';
  return null;
});

/**
 * Findings a patient can only report in words (never observed in an infant or toddler): a 19-day-old cannot
 * complain of back pain.
 */
const selfReported =
  /\b(pain\w*|\w*algia|aches?|headaches?|migraine\w*|fatigue|fatigability|tiredness|malaise|vertigo|dizziness|paresthesia\w*|dysesthesia\w*|hypoesthesia|numbness|tingling|hallucinations?|tinnitus|nausea|anxiety|depressi\w*|low self-esteem|anhedonia|diplopia|blurred vision|palpitations?|obsessive\w*|compulsive\w*|delusions?|paranoi\w*|suicid\w*|exercise intolerance|claudication|memory impairment|amnesia|forgetfulness|dysgeusia|anosmia|hyposmia|photopsia|metamorphopsia|dyspareunia|xerostomia|dry mouth|globus|heartburn|premonitory)\b/i;
export const SELF_REPORT_MIN_YEARS = 3;

export const isSelfReported = memo((term: string): boolean => selfReported.test(term));

/** Findings that need a minimum age before they can be observed, reported or diagnosed (years). */
const minimumAges: { pattern: RegExp; years: number; why: string }[] = [
  { pattern: /\b(infertil\w*|sterility|decreased fertility|reduced fertility|subfertility)\b/i, years: 18, why: 'infertility is an adult diagnosis' },
  { pattern: /\b(pregnan\w*|miscarriage\w*|abortion\w*|pre-?eclampsia|gestational)\b/i, years: 16, why: 'pregnancy events need an adult patient' },
  { pattern: /\b(menopause|ovarian (insufficiency|failure)|ovarian dysgenesis)\b/i, years: 15, why: 'ovarian failure shows at puberty at the earliest' },
  { pattern: /\bprimary amenorrh\w*/i, years: 15, why: 'primary amenorrhea is defined from age 15' },
  { pattern: /\b(\w*menorrh\w*|menstr\w*|metrorrhag\w*)\b/i, years: 12, why: 'menstrual findings need menarche' },
  { pattern: /\b(libido|erectile|impotence|\w*sperm\w*|dyspareunia)\b/i, years: 16, why: 'sexual and semen findings are adult findings' },
  { pattern: /\b(delayed|absent|incomplete|late) puberty\b|\bpubertal delay\b|\bhypogonadotropic hypogonadism\b/i, years: 13, why: 'puberty is judged from adolescence' },
  { pattern: /\b(hirsutism|gynecomastia|acne)\b/i, years: 10, why: 'pubertal skin and breast findings' },
  { pattern: /\b(intellectual disability|mental retardation|learning disabilit\w*|dyslexia|dyscalculia|low iq|cognitive impairment|specific learning)\b/i, years: 3, why: 'intellectual disability cannot be judged in an infant' },
  { pattern: /\b(attention deficit|hyperactivity|adhd|schizophreni\w*|psychosis|psychotic|bipolar|personality)\b/i, years: 5, why: 'behavioural diagnoses need a school-age child' },
  { pattern: /\b(speech|language|dysarthria|stutter\w*|aphasia|echolalia)\b/i, years: 1.5, why: 'speech is judged from about 18 months' },
  { pattern: /\b(autis\w*|stereotyp\w*|social)\b/i, years: 1.5, why: 'autistic features are recognised from about 18 months' },
  { pattern: /\b(gait|ataxic gait|walking|toe walking|clumsiness|frequent falls)\b/i, years: 1.5, why: 'gait needs a walking child' },
  { pattern: /\b(global developmental delay|developmental delay|motor delay|developmental regression)\b/i, years: 0.25, why: 'development is judged after the first months' },
  { pattern: /\b(dementia|cognitive decline)\b/i, years: 5, why: 'dementia needs a history of normal cognition' },
  { pattern: /\b(short stature|tall stature)\b/i, years: 0.5, why: 'stature is judged after infancy has started' },
  { pattern: /\b(ataxia|ataxic|dysmetria|intention tremor|incoordination|dysdiadochokinesis)\b/i, years: 1, why: 'coordination is judged once the child sits and reaches' },
  { pattern: /\bgenu (valgum|varum)\b|\bbowing of the legs\b/i, years: 2, why: 'leg alignment is judged once the child walks' },
  { pattern: /\b(chronic|recurrent)\b/i, years: 0.25, why: 'chronic or recurrent problems need time to show' },
  { pattern: /\b(daytime somnolence|excessive sleepiness|hypersomnia|narcolepsy|cataplexy)\b/i, years: 2, why: 'abnormal sleepiness cannot be told from a baby’s sleep' },
  { pattern: /\bin (childhood|adolescence)\b/i, years: 2, why: 'a finding dated to childhood' },
  { pattern: /\bin (adulthood|early adulthood)\b|\badult-onset\b/i, years: 18, why: 'a finding dated to adulthood' },
  { pattern: /\b(obesity|overweight)\b/i, years: 1, why: 'obesity is judged after infancy' },
  { pattern: /\b(alopecia|premature graying|baldness)\b/i, years: 1, why: 'hair loss needs hair' },
  { pattern: /\b(dental caries|tooth loss|premature loss of teeth|dental crowding|oligodontia|hypodontia|delayed eruption of permanent teeth)\b/i, years: 3, why: 'dentition is judged once teeth erupt' },
];

export const minimumAge = memo((term: string): { years: number; why: string } | null => {
  let best: { years: number; why: string } | null = null;
  for (const m of minimumAges) if (m.pattern.test(term) && (!best || m.years > best.years)) best = { years: m.years, why: m.why };
  if (isSelfReported(term) && (!best || best.years < SELF_REPORT_MIN_YEARS)) best = { years: SELF_REPORT_MIN_YEARS, why: 'a self-reported symptom' };
  return best;
});

/** Null when the finding can belong to this patient, else why not. */
export function findingPatientProblem(term: string, sex: Sex | null, ageYears: number | null): string | null {
  const s = sexOfFinding(term);
  if (s && sex && s !== sex) return `"${term}" is ${s}-specific but the patient is ${sex}`;
  if (ageYears !== null) {
    const min = minimumAge(term);
    if (min && ageYears < min.years) return `"${term}" in a patient aged ${formatAge(ageYears)} (${min.why})`;
  }
  return null;
}

export function formatAge(years: number): string {
  if (years < 1 / 12) return `${Math.round(years * 365)} days`;
  if (years < 2) return `${Math.round(years * 12)} months`;
  return `${Math.round(years)} years`;
}

/** Words that do not carry a finding's or a name's meaning. */
const genericWords = new Set(
  (
    'a an the of in on with and or to by for from at as due type form variant group spectrum syndrome syndromic disease disorder ' +
    'condition anomaly anomalies familial hereditary congenital inherited autosomal dominant recessive linked x-linked primary ' +
    'secondary isolated rare classic classical atypical partial complete acquired idiopathic severe mild moderate early late onset ' +
    'juvenile adult infantile childhood neonatal progressive nonprogressive chronic acute multiple generalized localized related ' +
    'associated abnormality abnormalities abnormal finding findings left right bilateral unilateral increased decreased reduced ' +
    'elevated high low short long small large absent aplasia hypoplasia defect defects deficiency dysfunction non-syndromic ' +
    'nonsyndromic i ii iii iv v vi vii viii ix x 1 2 3 4 5 6 7 8 9 disease-causing germline caused mutations mutation sporadic ' +
    'subtype level levels serum plasma urine concentration activity'
  ).split(' '),
);

/** Lower-case meaning-bearing words (hyphenated compounds split), for cueing and generalisation checks. */
export const contentWords = memo((text: string): string[] => {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return words.filter((w) => w.length >= 3 && !genericWords.has(w));
});

/** Two words carry the same meaning: equal, or one a plural/adjective form of the other (shared stem of 6+). */
export function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const n = Math.min(a.length, b.length);
  if (n < 6) return false;
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i >= 6 && i >= Math.max(a.length, b.length) - 3;
}

/** Words of `words` that also occur in `text` (by `sameWord`). */
export function sharedWords(words: readonly string[], text: string): string[] {
  const inText = contentWords(text);
  return words.filter((w) => inText.some((t) => sameWord(w, t)));
}

/**
 * `general` names a broader version of `specific` when every meaning word of `general` appears in `specific`
 * ("Hypotonia" ⊂ "Axial hypotonia", "Global developmental delay" ⊂ "Severe global developmental delay").
 */
export function generalises(general: string, specific: string): boolean {
  const g = contentWords(general);
  if (g.length === 0) return false;
  const s = contentWords(specific);
  return g.every((w) => s.some((x) => sameWord(w, x)));
}

/** Opposite directions of one measurement: a finding and its opposite cannot both describe one patient. */
const oppositePrefixes: [string, string][] = [
  ['hypo', 'hyper'],
  ['micro', 'macro'],
  ['brachy', 'dolicho'],
];
const oppositeWords: Record<string, string> = {
  short: 'length',
  tall: 'length',
  increased: 'amount',
  decreased: 'amount',
  elevated: 'amount',
  reduced: 'amount',
  high: 'height',
  low: 'height',
};
const wordSign: Record<string, number> = { short: -1, tall: 1, increased: 1, decreased: -1, elevated: 1, reduced: -1, high: 1, low: -1 };
const oppositeSuffixes: [string, string][] = [['penia', 'cytosis']];

interface Axis {
  key: string;
  sign: number;
}

/** The term with its direction word replaced by an axis marker, e.g. "hypotonia" → "~tonia" (sign −1). */
const axisOf = memo((term: string): Axis | null => {
  const words = term.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const rest = (replacement: string) => [...words.slice(0, i), replacement, ...words.slice(i + 1)].join(' ');
    if (oppositeWords[w]) return { key: rest(`~${oppositeWords[w]}`), sign: wordSign[w] as number };
    for (const [neg, pos] of oppositePrefixes) {
      if (w.startsWith(pos) && w.length > pos.length + 2) return { key: rest(`~${neg}${w.slice(pos.length)}`), sign: 1 };
      if (w.startsWith(neg) && w.length > neg.length + 2) return { key: rest(`~${neg}${w.slice(neg.length)}`), sign: -1 };
    }
    for (const [neg, pos] of oppositeSuffixes) {
      if (w.endsWith(neg) && w.length > neg.length + 2) return { key: rest(`~${w.slice(0, -neg.length)}${neg}`), sign: -1 };
      if (w.endsWith(pos) && w.length > pos.length + 2) return { key: rest(`~${w.slice(0, -pos.length)}${neg}`), sign: 1 };
    }
  }
  return null;
});

const absentEye = /\b(anophthalmia|absent eyes?|absent globe)\b/i;
const eyeStructure =
  /\b(cornea\w*|\w*cornea|iris|irides|aniridia|lens|lentis|cataracts?|retin\w*|coloboma\w*|glaucoma|myopia|hyperopia|astigmatism|nystagmus|strabismus|esotropia|exotropia|optic|pupil\w*|scler\w*|uveitis|microphthalmia|buphthalmos|keratoconus|vitreous|macula\w*|choroid\w*|visual acuity|photophobia|ectopia lentis)\b/i;

/** Null when the two findings can coexist in one patient, else why not. */
export function exclusiveFindings(a: string, b: string): string | null {
  const x = axisOf(a);
  const y = axisOf(b);
  if (x && y && x.key === y.key && x.sign !== y.sign) return `"${a}" and "${b}" are opposite findings`;
  if ((absentEye.test(a) && eyeStructure.test(b)) || (absentEye.test(b) && eyeStructure.test(a))) {
    return `"${absentEye.test(a) ? a : b}" leaves no eye for "${absentEye.test(a) ? b : a}"`;
  }
  return null;
}

/**
 * A finding label written as clinical prose: "Abnormality of the kidney" → "a kidney abnormality" is not
 * always grammatical, so the rewrites are the few safe ones; casing is fixed except for acronyms and eponyms.
 */
export const proseFinding = memo((term: string): string => {
  let t = term.trim();
  t = t.replace(/^Aplasia\/Hypoplasia (of|affecting|involving) (the )?/i, 'absent or underdeveloped ');
  t = t.replace(/^(\w+) hypoplasia\/aplasia$/i, 'absent or underdeveloped $1');
  t = t.replace(/^Abnormality of (the )?/i, 'abnormal ');
  t = t.replace(/^Abnormal (.+) morphology$/i, 'abnormally formed $1');
  t = t.replace(/\//g, ' or ');
  t = t.replace(/^([A-Za-z][a-z]+)([ ,-]|$)/, (m, w: string, sep: string) => `${w.toLowerCase()}${sep}`);
  // "Intellectual disability, mild" → "mild intellectual disability"
  const qualified = /^(.+), (mild|moderate|severe|profound|progressive|borderline|bilateral|unilateral)$/i.exec(t);
  if (qualified) t = `${(qualified[2] as string).toLowerCase()} ${qualified[1]}`;
  return t;
});

/** What makes a finding's wording read as an ontology label rather than a clinician's sentence. */
export function labelLikeProblem(text: string): string | null {
  if (/\bAplasia\/Hypoplasia\b|\bAbnormality of\b/i.test(text)) return 'an ontology grouping label ("Abnormality of", "Aplasia/Hypoplasia") in the stem';
  if (/[a-z]\/[a-z]/i.test(text.replace(/\b\d+\/\d+\b|\band\/or\b/gi, ''))) return 'a slash-joined ontology label in the stem';
  return null;
}

/** A set of meaning words answering "does this word match one of them" (by `sameWord`) without a scan. */
export class WordSet {
  private readonly exact = new Set<string>();
  private readonly byStem = new Map<string, string[]>();

  constructor(words: Iterable<string>) {
    for (const w of words) {
      this.exact.add(w);
      if (w.length >= 6) {
        const k = w.slice(0, 6);
        const list = this.byStem.get(k);
        if (list) list.push(w);
        else this.byStem.set(k, [w]);
      }
    }
  }

  has(word: string): boolean {
    if (this.exact.has(word)) return true;
    if (word.length < 6) return false;
    return (this.byStem.get(word.slice(0, 6)) ?? []).some((w) => sameWord(w, word));
  }

  /** Whether any meaning word of `text` is in the set. */
  touches(text: string): boolean {
    return contentWords(text).some((w) => this.has(w));
  }
}
