/**
 * A small SentencePiece-style vocabulary learnt from the demo corpus by byte-pair merges, in the form llama.cpp's
 * SPM tokenizer (tokenizer.ggml.model = "llama") reads: pieces with "▁" for spaces, <unk> <s> </s>, byte fallback
 * tokens <0x00>…<0xFF>, and scores. llama.cpp tokenises by repeatedly merging the adjacent pair whose concatenation
 * is a piece with the highest score, so each merge's piece scores −(its rank): the earliest-learnt merge wins, as in
 * BPE. Characters too rare to earn a piece fall back to their UTF-8 bytes. The app never tokenises with this code:
 * node-llama-cpp loading the written GGUF is the one tokenizer (trainer inputs and inference agree by construction).
 * Deterministic: every tie is broken by code-unit order.
 */

export const SPACE = '\u2581';

/** llama.cpp token types (llama_token_type). */
export const TokenType = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

export interface Vocab {
  tokens: string[];
  scores: number[];
  types: number[];
  unk: number;
  bos: number;
  eos: number;
  /** How many pieces are single characters, and how many came from merges. */
  chars: number;
  merges: number;
}

export interface VocabOptions {
  /** Total size, specials and the 256 byte tokens included. */
  size: number;
  /** A character needs this many occurrences to get its own piece (else it is spelt in bytes). */
  minCharCount?: number;
}

/** What llama.cpp's SPM tokenizer does to text before merging: a space in front, every space as "▁". */
export function escapeText(text: string): string {
  return `${SPACE}${text}`.replaceAll(' ', SPACE);
}

/**
 * Pre-split into units merges never cross: "▁" + a run of letters, one digit, one other character (punctuation
 * stays its own piece, numbers are spelt digit by digit so that every number is made of the same ten pieces).
 */
const unitPattern = /▁?\p{L}[\p{L}\p{M}]*|▁?\p{N}|▁?[^▁\p{L}\p{N}]|▁/gu;

export function splitUnits(escaped: string): string[] {
  return escaped.match(unitPattern) ?? [];
}

function byteToken(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

export function buildVocab(texts: Iterable<string>, opts: VocabOptions): Vocab {
  const minCharCount = opts.minCharCount ?? 3;
  const words = new Map<string, number>();
  const charCount = new Map<string, number>();
  for (const text of texts) {
    for (const w of splitUnits(escapeText(text))) {
      words.set(w, (words.get(w) ?? 0) + 1);
    }
  }
  for (const [w, n] of words) for (const ch of w) charCount.set(ch, (charCount.get(ch) ?? 0) + n);

  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [TokenType.unknown, TokenType.control, TokenType.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(byteToken(b));
    types.push(TokenType.byte);
  }
  const fixed = tokens.length;
  const budget = opts.size - fixed;
  if (budget < 1) throw new Error(`a vocabulary of ${opts.size} leaves no room beside the ${fixed} special and byte tokens`);
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const chars = [...charCount.entries()]
    .filter(([ch, n]) => n >= minCharCount || ch === SPACE)
    .sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))
    .slice(0, Math.max(1, Math.floor(budget / 2)))
    .map(([ch]) => ch);
  const pieces: string[] = [...chars];

  // Words as sequences of symbol ids (indices into `pieces`); an unknown character splits a word (its bytes never merge).
  const idOf = new Map<string, number>(pieces.map((p, i) => [p, i]));
  const seqs: { syms: number[]; n: number }[] = [];
  for (const [w, n] of [...words.entries()].sort((x, y) => cmp(x[0], y[0]))) {
    let cur: number[] = [];
    for (const ch of w) {
      const id = idOf.get(ch);
      if (id !== undefined) cur.push(id);
      else {
        if (cur.length > 1) seqs.push({ syms: cur, n });
        cur = [];
      }
    }
    if (cur.length > 1) seqs.push({ syms: cur, n });
  }

  // Pair counts kept up to date incrementally: a merge only revisits the words that hold its pair.
  const K = 1 << 16;
  const counts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const account = (w: number, sign: 1 | -1): void => {
    const s = seqs[w] as { syms: number[]; n: number };
    for (let i = 0; i + 1 < s.syms.length; i++) {
      const key = (s.syms[i] as number) * K + (s.syms[i + 1] as number);
      counts.set(key, (counts.get(key) ?? 0) + sign * s.n);
      if (sign > 0) {
        let set = where.get(key);
        if (!set) where.set(key, (set = new Set()));
        set.add(w);
      }
    }
  };
  for (let w = 0; w < seqs.length; w++) account(w, 1);
  let merges = 0;
  const pairText = (key: number): string => `${pieces[Math.floor(key / K)] as string}\u0000${pieces[key % K] as string}`;
  while (pieces.length < budget) {
    let best = -1;
    let bestN = 2;
    let bestText = '';
    for (const [key, n] of counts) {
      if (n < bestN) continue;
      if (n > bestN || best < 0) {
        best = key;
        bestN = n;
        bestText = pairText(key);
      } else {
        const t = pairText(key);
        if (t < bestText) {
          best = key;
          bestText = t;
        }
      }
    }
    if (best < 0) break;
    const a = Math.floor(best / K);
    const b = best % K;
    const text = (pieces[a] as string) + (pieces[b] as string);
    // A piece reachable by two splits ("▁a"+"b", "▁"+"ab") is one piece; llama.cpp merges either way into it.
    let id = idOf.get(text);
    if (id === undefined) {
      id = pieces.length;
      pieces.push(text);
      idOf.set(text, id);
      merges++;
    }
    for (const w of [...(where.get(best) ?? [])].sort((x, y) => x - y)) {
      const s = seqs[w] as { syms: number[]; n: number };
      account(w, -1);
      const out: number[] = [];
      for (let i = 0; i < s.syms.length; i++) {
        if (i + 1 < s.syms.length && s.syms[i] === a && s.syms[i + 1] === b) {
          out.push(id);
          i++;
        } else out.push(s.syms[i] as number);
      }
      s.syms = out;
      account(w, 1);
    }
    where.delete(best);
    counts.delete(best);
  }
  const scores = new Array<number>(fixed).fill(0);
  // Characters are never merged into (they are where merging starts): any score below every merge's will do.
  chars.forEach((_, i) => scores.push(-(budget + i)));
  for (let r = 0; r < merges; r++) scores.push(-r);
  for (const p of pieces) {
    tokens.push(p);
    types.push(TokenType.normal);
  }
  return { tokens, scores, types, unk: 0, bos: 1, eos: 2, chars: chars.length, merges };
}

/** The first byte-fallback id and one past the last: ids in [from, to) are <0x00>…<0xFF>. */
export const BYTE_TOKENS = { from: 3, to: 259 } as const;
