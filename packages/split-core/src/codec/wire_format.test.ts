import { describe, expect, it } from 'vitest';
import { DTYPE_CODES, dtypeFromCode, ENCODING_CODES, encodingFromCode, isDType, isEncoding, storedEncoding } from './wire_format';

describe('wire code tables', () => {
  for (const [label, table] of [['dtype', DTYPE_CODES], ['encoding', ENCODING_CODES]] as const) {
    it(`gives every ${label} a distinct non-zero u8 code`, () => {
      const codes = Object.values(table);
      expect(new Set(codes).size).toBe(codes.length);
      for (const code of codes) expect(Number.isInteger(code) && code > 0 && code < 256).toBe(true);
    });
  }

  it('maps codes back to names and unknown codes to undefined', () => {
    for (const [name, code] of Object.entries(DTYPE_CODES)) expect(dtypeFromCode(code)).toBe(name);
    for (const [name, code] of Object.entries(ENCODING_CODES)) expect(encodingFromCode(code)).toBe(name);
    for (const code of [0, 4, 255]) {
      expect(dtypeFromCode(code)).toBeUndefined();
      expect(encodingFromCode(code)).toBeUndefined();
    }
  });

  it('recognizes only the declared names (not inherited properties)', () => {
    expect(isDType('float32') && isDType('int32')).toBe(true);
    expect(isDType('toString') || isDType('bool') || isDType(1)).toBe(false);
    expect(isEncoding('fp16') && !isEncoding('constructor') && !isEncoding(undefined)).toBe(true);
  });

  it('stores int32 data raw whatever encoding is requested', () => {
    expect(storedEncoding('int32', 'int8')).toBe('fp32');
    expect(storedEncoding('float32', 'int8')).toBe('int8');
  });
});
