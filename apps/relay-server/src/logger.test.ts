import { describe, expect, it } from 'vitest';
import { createLogger, pinoOf } from './logger';

describe('logger', () => {
  function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
    const lines: string[] = [];
    const log = createLogger('relay', level, (line) => lines.push(line));
    return { log, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
  }

  it('writes one JSON object per line: level, time, namespace, message, then the fields', () => {
    const { log, lines, parsed } = capture();
    log.child('studies').warn('left out of validation', { study: 's1', reason: 'its confusion matrix holds 3' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\n$/);
    expect(Object.keys(parsed()[0] ?? {})).toEqual(['level', 'time', 'ns', 'msg', 'study', 'reason']);
    expect(parsed()[0]).toMatchObject({ level: 'warn', ns: 'relay:studies', msg: 'left out of validation', study: 's1' });
    expect(lines[0]).toMatch(/left out of validation.*confusion matrix holds/);
  });

  it('drops lines below its level, names nested children once, and keeps fields that clash with its own keys', () => {
    const { log, parsed } = capture('info');
    const child = log.child('http').child('static');
    child.debug('not shown');
    child.info('shown', { level: 'x', msg: 'y' });
    expect(parsed()).toEqual([expect.objectContaining({ level: 'info', ns: 'relay:http:static', msg: 'shown', level_: 'x', msg_: 'y' })]);
  });

  it('hands its pino logger to libraries, writing to the same place', () => {
    const { log, parsed } = capture();
    pinoOf(log.child('http'))?.info({ reqId: 'req-1' }, 'from fastify');
    expect(parsed()).toEqual([expect.objectContaining({ ns: 'relay:http', reqId: 'req-1', msg: 'from fastify' })]);
  });
});
