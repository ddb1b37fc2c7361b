import { describe, expect, it } from 'vitest';
import { loadConfig, RELAY_USAGE } from './config';

describe('relay configuration: the two demo switches', () => {
  const demos = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const { demo, boothDemo } = loadConfig(argv, env, '/repo');
    return { demo, boothDemo };
  };

  it('keeps the booth demo API off unless --demo (or RELAY_DEMO=1) turns it on', () => {
    expect(demos([])).toEqual({ demo: true, boothDemo: false });
    expect(demos(['--demo'])).toEqual({ demo: true, boothDemo: true });
    expect(demos([], { RELAY_DEMO: '1' })).toEqual({ demo: true, boothDemo: true });
  });

  it('reads --no-demo as before: no startup demo study, and it does not touch the booth', () => {
    expect(demos(['--no-demo'])).toEqual({ demo: false, boothDemo: false });
    expect(demos(['--no-demo', '--demo'])).toEqual({ demo: false, boothDemo: true });
    expect(demos([], { RELAY_NO_DEMO: '1' })).toEqual({ demo: false, boothDemo: false });
  });

  it('documents both', () => {
    expect(RELAY_USAGE).toMatch(/--demo\s+turn on the booth demo/);
    expect(RELAY_USAGE).toMatch(/--no-demo\s+do not create the startup demo study/);
  });
});
