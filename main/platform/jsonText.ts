/**
 * JSON parse failures described by position, never by content. V8's messages quote the text around the error
 * ('Unexpected token 'h', "patient: …" is not valid JSON'): echoed into a dialog, a log or an HTTP answer, that
 * hands out the start of whatever file someone pointed the app at. Here the message keeps V8's reason without
 * the quote and adds line and column, found from V8's position or, where it gives none, by scanning.
 */

/** Offset of the first character where `text` stops being JSON (text.length when it ends too early); -1 if valid. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (): never => {
    throw new Stop();
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) fail();
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (/[1-9]/.test(text[i] ?? '')) while (/[0-9]/.test(text[i] ?? '')) i++;
    else fail();
    if (text[i] === '.') {
      i++;
      if (!/[0-9]/.test(text[i] ?? '')) fail();
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!/[0-9]/.test(text[i] ?? '')) fail();
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
  };
  // An explicit stack instead of recursion: a file of 100,000 '[' must not overflow the call stack here.
  const value = () => {
    const stack: ('[' | '{')[] = [];
    for (;;) {
      ws();
      const c = text[i];
      if (c === '[' || c === '{') {
        stack.push(c);
        i++;
        ws();
        if ((c === '[' && text[i] === ']') || (c === '{' && text[i] === '}')) {
          i++;
          stack.pop();
        } else {
          if (c === '{') {
            if (text[i] !== '"') fail();
            string();
            ws();
            if (text[i] !== ':') fail();
            i++;
          }
          continue;
        }
      } else if (c === '"') string();
      else if (c === 't') literal('true');
      else if (c === 'f') literal('false');
      else if (c === 'n') literal('null');
      else if (c === '-' || /[0-9]/.test(c ?? '')) number();
      else fail();
      // After a value: close containers or go on to the next element.
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return;
        ws();
        if (text[i] === ',') {
          i++;
          if (top === '{') {
            ws();
            if (text[i] !== '"') fail();
            string();
            ws();
            if (text[i] !== ':') fail();
            i++;
          }
          break;
        }
        if ((top === '[' && text[i] === ']') || (top === '{' && text[i] === '}')) {
          i++;
          stack.pop();
          continue;
        }
        fail();
      }
    }
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (err) {
    if (err instanceof Stop) return Math.min(i, text.length);
    throw err;
  }
}

class Stop extends Error {}

/** Line and column (both from 1) of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    start = k + 1;
  }
  return { line, column: offset - start + 1 };
}

/**
 * "not valid JSON at line 3, column 14 (expected ',' or '}' after property value)": V8's reason with any quoted
 * text removed, and where in the file it is. `text` is what was given to JSON.parse.
 */
export function describeJsonError(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // V8 forms: "<reason> in JSON at position N", "Unexpected token 'x', "<excerpt>" is not valid JSON",
  // "Unexpected end of JSON input". Only the reason before any excerpt is kept, and the token is not repeated.
  let reason = message.replace(/\s+(in JSON )?at position \d+.*$/s, '').replace(/,\s*".*$/s, '');
  if (/^Unexpected token/.test(reason)) reason = 'unexpected character';
  if (reason.length > 80 || /["\n]/.test(reason)) reason = 'malformed';
  const stated = /at position (\d+)/.exec(message);
  const offset = stated ? Number(stated[1]) : jsonErrorOffset(text);
  const where = offset >= 0 ? lineColumn(text, offset) : null;
  const reasonText = reason ? ` (${reason.charAt(0).toLowerCase()}${reason.slice(1)})` : '';
  return `not valid JSON${where ? ` at line ${where.line}, column ${where.column}` : ''}${reasonText}`;
}
