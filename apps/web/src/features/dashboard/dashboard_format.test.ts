import { describe, expect, it } from 'vitest';
import { formatAxisBytes, formatInteger, formatMetric, formatPercent, formatRelativeTime, formatSi, roundLabel } from './dashboard_format';

describe('dashboard formats', () => {
  it('formats SI magnitudes', () => {
    expect(formatSi(1_234_567)).toBe('1.23 M');
    expect(formatSi(4.2e12, 'FLOPs')).toBe('4.20 TFLOPs');
    expect(formatSi(950)).toBe('950');
    expect(formatSi(12.345)).toBe('12.3');
    expect(formatSi(0)).toBe('0');
    expect(formatSi(Number.NaN)).toBe('—');
  });

  it('formats axis bytes, percentages and metrics, with a dash for missing values', () => {
    expect(formatAxisBytes(0)).toBe('0');
    expect(formatAxisBytes(512)).toBe('512 B');
    expect(formatAxisBytes(2_500_000)).toBe('2.50 MB');
    expect(formatPercent(0.9234)).toBe('92.3%');
    expect(formatPercent(null)).toBe('—');
    expect(formatMetric(0.12345)).toBe('0.123');
    expect(formatMetric(undefined)).toBe('—');
  });

  it('says how long ago a client was seen', () => {
    const now = 1_700_000_000_000;
    expect(formatRelativeTime(now - 500, now)).toBe('just now');
    expect(formatRelativeTime(now + 3_000, now)).toBe('just now');
    expect(formatRelativeTime(now - 12_000, now)).toBe('12 s ago');
    expect(formatRelativeTime(now - 4 * 60_000, now)).toBe('4 min ago');
    expect(formatRelativeTime(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatRelativeTime(now - 3 * 86_400_000, now)).toBe('3 d ago');
    expect(formatRelativeTime(0, now)).toBe('never');
  });

  it('counts rounds from 1', () => {
    expect(roundLabel(0)).toBe('round 1');
  });
});

describe('formatInteger', () => {
  it('groups thousands like formatCount', () => {
    expect(formatInteger(1_234_567)).toBe('1,234,567');
    expect(formatInteger(0)).toBe('0');
  });
});
