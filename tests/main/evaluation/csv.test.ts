/** Evaluation CSV cells: RFC 4180 quoting, and no cell a spreadsheet would run as a formula. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvField, csvLine } from '../../../main/evaluation/csv.js';

describe('evaluation CSV', () => {
  it('prefixes texts beginning with = + - @ tab or CR with an apostrophe, and quotes what needs quoting', () => {
    assert.equal(csvField('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvField('+1'), "'+1");
    assert.equal(csvField('-2+3'), "'-2+3");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('\tcmd'), "'\tcmd");
    assert.equal(csvField('\r=1'), `"'\r=1"`);
    assert.equal(csvField('a "b", c'), '"a ""b"", c"');
    assert.equal(csvField('plain'), 'plain');
  });

  it('keeps numbers (negative ones too) and empty values as they are', () => {
    assert.equal(csvLine([-0.5, 3, null, undefined, '', 'A']), '-0.5,3,,,,A');
  });
});
