/** JSON failures are described by line and column and V8's reason, never by the text around them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeJsonError, jsonErrorOffset } from '../../../main/platform/jsonText.js';

function describeOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return describeJsonError(text, err);
  }
  throw new Error('parsed');
}

describe('describeJsonError', () => {
  it('names line and column and quotes nothing of the file', () => {
    const cases: [string, RegExp][] = [
      ['patient secret: Jane Doe, 1970-01-01', /^not valid JSON at line 1, column 1 \(unexpected character\)$/],
      ['[{"a": 1,}]', /^not valid JSON at line 1, column 10 \(expected double-quoted property name\)$/],
      ['[\n  {"secret": tru}\n]', /^not valid JSON at line 2, column 17 \(unexpected character\)$/],
      ['[1, 2', /^not valid JSON at line 1, column 6/],
      ['{"x": 1}\nsecret trailing text', /^not valid JSON at line 2, column 1 \(unexpected non-whitespace character after JSON\)$/],
      ['', /^not valid JSON at line 1, column 1/],
    ];
    for (const [text, pattern] of cases) {
      const d = describeOf(text);
      assert.match(d, pattern, JSON.stringify(text));
      assert.doesNotMatch(d, /secret|Jane|tru\b/);
    }
  });

  it('finds the offset the way JSON.parse fails, also 100,000 levels deep', () => {
    for (const [text, at] of [['{"a":[1,2,{"b":nul}]}', 18], ['"\\x"', 2], ['[1e]', 3], ['[-]', 2], ['[]', -1], ['{"a":{"b":[true,false,null,"s",-1.5e+3]}}', -1]] as const) {
      assert.equal(jsonErrorOffset(text), at, text);
    }
    assert.equal(jsonErrorOffset('['.repeat(100_000)), 100_000);
  });
});
