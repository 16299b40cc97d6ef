/**
 * RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled. A text that begins with
 * = + - @ tab or CR would be evaluated as a formula by a spreadsheet (CSV injection, OWASP): it gets a leading
 * apostrophe, which spreadsheets show as text. Numbers stay numbers (-0.5 is a value, not a formula).
 */
export function csvField(v: string | number | null | undefined): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: readonly (string | number | null | undefined)[]): string {
  return fields.map(csvField).join(',');
}
