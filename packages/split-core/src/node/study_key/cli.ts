#!/usr/bin/env -S npx tsx
// `npm run study-key [-- --check KEY]`: makes a study key for an end-to-end encrypted
// round-robin hand-off, on the researcher's machine (the relay must never see it), and prints
// the check that goes into the study's configuration; with --check, the check of a given key.
import { parseArgs } from 'node:util';
import { generateStudyKey, studyKeyCheck } from '../../privacy/study_key';

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { check: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write('Usage: npm run study-key [-- --check KEY]\n');
    return 0;
  }
  const key = values.check ?? generateStudyKey();
  const check = await studyKeyCheck(key);
  process.stdout.write(
    [
      `study key:        ${key}`,
      `handoffKeyCheck:  ${check}`,
      '',
      'Create the study with "handoffKeyCheck" in its configuration (schedule "round-robin"), then',
      'give participants the invite link with the key in its fragment, which browsers never send:',
      `  <relay>/join/<join code>#key=${key}`,
      'or the key itself to type in. Keep the key out of the relay and its logs.',
      '',
    ].join('\n'),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
