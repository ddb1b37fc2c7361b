import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatShape } from './format';

describe('format', () => {
  it('formats bytes in decimal units', () => {
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1_605_644)).toBe('1.61 MB');
    expect(formatBytes(25_000)).toBe('25.0 kB');
    expect(formatBytes(-1)).toBe('unknown');
  });

  it('formats durations and shapes', () => {
    expect(formatDuration(4_400)).toBe('4 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_720_000)).toBe('1 h 2 min');
    expect(formatShape([32, 14, 14, 8])).toBe('[32 × 14 × 14 × 8]');
  });
});
