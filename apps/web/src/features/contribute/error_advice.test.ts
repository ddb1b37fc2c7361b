import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../worker/messages';
import { adviceFor, skippedAdvice } from './error_advice';

describe('error advice', () => {
  it('tells what to do next for every error the worker can report', () => {
    for (const code of ERROR_CODES) {
      const advice = adviceFor(code);
      expect(advice.title.length).toBeGreaterThan(0);
      expect(advice.next.length).toBeGreaterThan(20);
    }
  });

  it('counts skipped files in words', () => {
    expect(skippedAdvice(1).title).toBe('1 file was skipped');
    expect(skippedAdvice(3).title).toBe('3 files were skipped');
  });
});
