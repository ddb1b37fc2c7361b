import { describe, expect, it } from 'vitest';
import { matchClasses, normalizeClassName } from './classes';

describe('matchClasses', () => {
  it('matches declared classes case-insensitively and trimmed', () => {
    const match = matchClasses(['Normal', ' PNEUMONIA ', 'normal'], ['normal', 'pneumonia']);
    expect(match.classes).toEqual(['normal', 'pneumonia']);
    expect(match.labels.get('Normal')).toBe(0);
    expect(match.labels.get('normal')).toBe(0);
    expect(match.labels.get(' PNEUMONIA ')).toBe(1);
    expect(match.unknownClasses).toEqual([]);
  });

  it('keeps the declared label order, not the order found', () => {
    const match = matchClasses(['b', 'a'], ['B', 'A']);
    expect(match.classes).toEqual(['B', 'A']);
    expect(match.labels.get('b')).toBe(0);
    expect(match.labels.get('a')).toBe(1);
  });

  it('reports unknown classes (trimmed, sorted, once) and gives them no label', () => {
    const match = matchClasses(['normal', ' covid', 'Covid', 'covid ', 'other'], ['normal', 'pneumonia']);
    expect(match.unknownClasses).toEqual(['Covid', 'covid', 'other']);
    expect(match.labels.has(' covid')).toBe(false);
    expect(match.labels.size).toBe(1);
  });

  it('derives sorted distinct normalized classes when none are declared', () => {
    const match = matchClasses(['Pneumonia', 'normal', 'NORMAL', ' pneumonia']);
    expect(match.classes).toEqual(['normal', 'pneumonia']);
    expect(match.labels.get('NORMAL')).toBe(0);
    expect(match.labels.get(' pneumonia')).toBe(1);
    expect(match.unknownClasses).toEqual([]);
  });

  it('never turns an empty name into a class', () => {
    const match = matchClasses(['  ', 'a']);
    expect(match.classes).toEqual(['a']);
    expect(match.unknownClasses).toEqual(['']);
  });

  it('rejects declared classes that collide after normalization', () => {
    expect(() => matchClasses([], ['Normal', 'normal '])).toThrow(/declare each class once/);
    expect(() => matchClasses([], [' '])).toThrow(/empty/);
  });

  it('normalizes by trimming and lower-casing', () => {
    expect(normalizeClassName('  Nodule\t')).toBe('nodule');
  });
});
