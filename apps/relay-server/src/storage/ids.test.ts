import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, newId, newJoinCode, normalizeJoinCode } from './ids';

describe('ids', () => {
  it('join codes use only the unambiguous alphabet, and every symbol of it', () => {
    const seen = new Set<string>();
    for (let draw = 0; draw < 500; draw += 1) {
      const code = newJoinCode();
      expect(code).toHaveLength(JOIN_CODE_LENGTH);
      expect(normalizeJoinCode(code)).toBe(code);
      for (const symbol of code) seen.add(symbol);
    }
    expect([...seen].sort().join('')).toBe(JOIN_CODE_ALPHABET);
    expect(JOIN_CODE_ALPHABET).not.toMatch(/[01IO]/);
    expect(new Set(JOIN_CODE_ALPHABET).size).toBe(32);
  });

  it('normalizes what people type and rejects anything else', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...JOIN_CODE_ALPHABET), minLength: 8, maxLength: 8 }), (code) => {
        const typed = `${code.slice(0, 4).toLowerCase()} - ${code.slice(4)}`;
        expect(normalizeJoinCode(typed)).toBe(code);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (typed) => {
        const normalized = normalizeJoinCode(typed);
        if (normalized !== undefined) expect(normalized).toMatch(new RegExp(`^[${JOIN_CODE_ALPHABET}]{8}$`));
      }),
    );
    expect(normalizeJoinCode('0O1I0O1I')).toBeUndefined();
  });

  it('ids are url-safe and distinct, and none reads as a command-line option', () => {
    // One id in 64 would start with '-' if drawn plainly: 2,000 draw it about 31 times.
    const ids = Array.from({ length: 2000 }, newId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(2000);
  });
});
