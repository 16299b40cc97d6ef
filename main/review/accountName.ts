/**
 * Account names as people type and read them. NFKC folds compatibility forms (full-width letters, ligatures).
 * Format and default-ignorable characters (zero-width space and joiners, bidi marks, the BOM, soft hyphen,
 * variation selectors, Hangul fillers) are removed, since they render as nothing and would let "Ada" and
 * "A\u200Bda" be two accounts; runs of white space become one space, then other control characters go.
 * Uniqueness is on the case-folded form.
 */
const invisible = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

export function normalizeAccountName(raw: string): string {
  return raw.normalize('NFKC').replace(invisible, '').replace(/\s+/gu, ' ').replace(/\p{Cc}/gu, '').trim();
}

/** The form two names are compared in: normalised, then case-folded. */
export function accountKey(raw: string): string {
  return normalizeAccountName(raw).toLowerCase().normalize('NFKC');
}
