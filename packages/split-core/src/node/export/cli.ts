#!/usr/bin/env -S npx tsx
// `npm run export -- --url URL --study ID --out DIR`: the researcher's copy of a study's
// trained server segment, in the tfjs format, for `npm run infer`.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeSegment } from '../../artifacts/metadata';
import { downloadServerSegment } from './download';

const USAGE = `Usage: npm run export -- --url URL --study ID --out DIR [--token TOKEN]

Downloads the server segment of a study's latest checkpoint (model.json + weights, the tfjs
layers format) into DIR. Client segments stay with the clients: each exports its own
(\`npm run client -- --export DIR\`, or "Download my model segment" in the browser).

  --url URL      the relay, e.g. http://localhost:8080
  --study ID     the study's id (not its join code)
  --out DIR      where to write model.json and the weights file
  --token TOKEN  the researcher token; better: set RELAY_TOKEN, which keeps it out of the
                 shell history and the process list
`;

const ArgsSchema = z.object({
  url: z.url({ error: '--url must be a URL such as http://localhost:8080' }),
  study: z.string({ error: '--study (the study id) is required' }).regex(/^[A-Za-z0-9_-]{1,128}$/, '--study must be a study id'),
  out: z.string({ error: '--out (the folder to write to) is required' }).min(1),
  token: z.string({ error: 'the researcher token is required: set RELAY_TOKEN (or pass --token)' }).min(1, 'the researcher token is empty: set RELAY_TOKEN'),
});

async function main(): Promise<number> {
  let args: z.infer<typeof ArgsSchema>;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { url: { type: 'string' }, study: { type: 'string' }, out: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean' } } });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    args = ArgsSchema.parse({ url: values.url, study: values.study, out: values.out, token: values.token ?? process.env.RELAY_TOKEN });
  } catch (error) {
    const message = error instanceof z.ZodError ? error.issues.map((issue) => issue.message).join('\n') : error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n\n${USAGE}`);
    return 2;
  }
  process.stderr.write(`configuration: ${JSON.stringify({ url: args.url, study: args.study, out: args.out, token: 'set' })}\n`);
  try {
    const download = await downloadServerSegment({ url: args.url, studyId: args.study, token: args.token, out: args.out });
    const { metadata } = download;
    process.stdout.write(`exported the ${describeSegment(metadata)} of "${metadata.study.name}" after ${metadata.trainedRounds} rounds to ${download.modelPath} (${download.files.join(', ')}; ${download.bytes} bytes of weights)\n`);
    if (metadata.validation) {
      process.stdout.write(`the study's validation after round ${metadata.validation.round + 1}: accuracy ${(metadata.validation.accuracy * 100).toFixed(1)}% on ${metadata.validation.count} images\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

void main().then((code) => process.exit(code));
