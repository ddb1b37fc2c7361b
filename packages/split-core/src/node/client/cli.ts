#!/usr/bin/env -S npx tsx
// `npm run client -- --url URL --study CODE --data DIR|demo`: a headless participant on the
// wasm backend, running the same client code as the browser, for automation and load.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { initNodeWasmBackend } from '../wasm_threads';
import { JoinError } from '../../network/participant';
import { describeSegment, segmentFileStem } from '../../artifacts/metadata';
import { writeSegmentFiles } from '../segment_files';
import { studyKeyFromFragment } from '../../privacy/study_key';
import { connectNodeParticipant, type NodeParticipant } from './connect';

const USAGE = `Usage: npm run client -- --url URL --study CODE [--data DIR|demo|FILE.csv] [--labels FILE.csv] [--shard K/N] [--party N] [--key KEY] [--label NAME] [--export DIR]
       npm run client -- --invite 'https://relay/join/CODE#key=KEY' [--data ...]

  --url URL        the relay, e.g. http://localhost:8080
  --study CODE     the study's join code
  --invite LINK    the researcher's invite link: gives the relay, the code and (after #key=)
                   the study key at once; quote it in the shell
  --key KEY        the study key, where the study's hand-off is end-to-end encrypted (also
                   read from the SPLITNN_STUDY_KEY environment variable, which keeps it out
                   of the shell's history); it never leaves this machine
  --data DIR|demo  labelled images in ImageFolder layout (<class>/<file>), or 'demo' for the
                   generated dataset (then --shard K/N picks this client's share). PNG, JPEG
                   and DICOM (.dcm or no extension; a DICOMDIR is skipped)
  --labels FILE    a CSV of labels for the images in --data: file,label rows, the file named
                   by its path below --data, its name, or (DICOM) its SOP Instance UID; then
                   folder names are not labels
  --party N        in a vertical study: which party this client is (0-based); --data is then
                   its CSV, with the study's id column and, at the label holder, the label
                   column. A table party's CSV has its feature columns; an image party's CSV
                   maps each patient to an image: a file column (the study's fileColumn,
                   default "file") naming a PNG or JPEG relative to the CSV's folder, e.g.
                   patient_id,file / P001,scans/P001.png (paths leaving that folder are
                   skipped). Images are converted to the party's [height, width, channels].
                   Rows are aligned with the other parties by a private set intersection:
                   only blinded ids leave this machine. In an extended vanilla study the
                   party after the last is the intermediate participant; in a multi-hop
                   study N is the position in the chain: 0 holds the images (--data as in a
                   horizontal study), 1, 2, ... are the hops. An intermediate participant or
                   a hop holds no data: it needs no --data
  --label NAME     a name shown to the researcher (default: node-<pid>)
  --backend NAME   wasm | cpu (default wasm)
  --export DIR     when the study finishes (or on Ctrl-C), write this client's trained
                   segment(s) in the tfjs format: DIR/client-segment<i>/model.json + weights
`;

const ArgsSchema = z.object({
  url: z.url({ error: '--url (or --invite) must be a URL such as http://localhost:8080' }),
  study: z.string({ error: '--study (the join code) or --invite is required' }).min(4, '--study must be a join code'),
  key: z.string().min(1).optional(),
  /** Checked against the study once it is looked up: an intermediate participant needs none. */
  data: z.string().min(1).optional(),
  labels: z.string().min(1, '--labels needs a CSV file').optional(),
  shard: z
    .string()
    .regex(/^\d+\/\d+$/, '--shard must look like K/N, e.g. 1/4')
    .transform((text) => {
      const [k, n] = text.split('/').map(Number) as [number, number];
      return { index: k - 1, count: n };
    })
    .refine((shard) => shard.index >= 0 && shard.index < shard.count, '--shard K/N needs 1 <= K <= N')
    .optional(),
  label: z.string().max(64).optional(),
  party: z.coerce.number({ error: '--party must be a party number (0, 1, ...)' }).int().nonnegative().max(7).optional(),
  backend: z.enum(['wasm', 'cpu']).default('wasm'),
  export: z.string().min(1, '--export needs a folder').optional(),
});

/** The client segment(s) this machine trained, one folder each, for the data owner to keep. */
async function exportSegments(client: NodeParticipant, dir: string): Promise<void> {
  for (const files of await client.participant.exportClientSegments()) {
    const written = await writeSegmentFiles(path.join(dir, segmentFileStem(files.metadata)), files);
    process.stderr.write(`exported the ${describeSegment(files.metadata)} after ${files.metadata.trainedRounds} rounds to ${written}\n`);
  }
}

/** The relay, join code and key in an invite link (`https://relay/join/CODE#key=KEY`). */
function inviteParts(invite: string | undefined): { url?: string; study?: string; key?: string } {
  if (invite === undefined) return {};
  let link: URL;
  try {
    link = new URL(invite);
  } catch {
    throw new Error(`--invite ${invite} is not a link: paste the whole invite link, e.g. 'https://relay.example/join/ABCD-1234#key=...'`);
  }
  const code = /\/join\/([^/]+)\/?$/.exec(link.pathname)?.[1];
  if (!code) throw new Error(`--invite ${invite} is not an invite link: it should end in /join/<code>`);
  const key = studyKeyFromFragment(link.hash);
  return { url: link.origin, study: decodeURIComponent(code), ...(key ? { key } : {}) };
}

async function main(): Promise<number> {
  let args: z.infer<typeof ArgsSchema>;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { url: { type: 'string' }, study: { type: 'string' }, invite: { type: 'string' }, key: { type: 'string' }, data: { type: 'string' }, labels: { type: 'string' }, shard: { type: 'string' }, party: { type: 'string' }, label: { type: 'string' }, backend: { type: 'string' }, export: { type: 'string' }, help: { type: 'boolean' } } });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const { help: _help, invite, ...rest } = values;
    args = ArgsSchema.parse({ ...(process.env.SPLITNN_STUDY_KEY ? { key: process.env.SPLITNN_STUDY_KEY } : {}), ...inviteParts(invite), ...rest });
  } catch (error) {
    const message = error instanceof z.ZodError ? error.issues.map((issue) => issue.message).join('\n') : error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n\n${USAGE}`);
    return 2;
  }
  const backend = await initNodeWasmBackend(args.backend);
  const label = args.label ?? `node-${process.pid}`;
  process.stderr.write(`backend: ${backend.name} (${backend.reason})\n`);
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  try {
    const client = await connectNodeParticipant({
      url: args.url,
      joinCode: args.study,
      ...(args.key ? { studyKey: args.key } : {}),
      data: { source: args.data ?? '', ...(args.labels ? { labels: args.labels } : {}), ...(args.shard ? { shard: args.shard } : {}), ...(args.party !== undefined ? { party: args.party } : {}) },
      label,
      backend: backend.name,
      events: {
        onStudy: (state) => {
          process.stderr.write(`study ${state.state}, round ${state.round}, ${state.participants} participants${state.message ? `: ${state.message}` : ''}\n`);
          if (state.state === 'finished') finished();
        },
        onRoundDone: (summary) => process.stderr.write(`${summary.phase} round ${summary.round}: ${summary.steps} steps${summary.loss !== undefined ? `, loss ${summary.loss.toFixed(4)}` : ''}\n`),
        onError: (error) => process.stderr.write(`relay: ${error.code}: ${error.message}\n`),
        onAlignment: (status) => {
          if (status.step === 'aligned') process.stderr.write(`rows aligned with the other parties: ${status.aligned} of this party's ${status.rows} (${status.train} training, ${status.val} validation)\n`);
          else if (status.step === 'started') process.stderr.write(`aligning ${status.rows} rows with the other parties (private set intersection)\n`);
        },
      },
    });
    const { data, study } = client;
    process.stderr.write(
      data.rows
        ? `joined "${study.config.name}" as ${client.participant.identity?.participantId ?? '?'}, party ${args.party ?? '?'}: ${data.rows.samples.length} ${data.rows.sampleShape.length === 3 ? 'patients with an image' : 'rows'} on this machine\n`
        : `joined "${study.config.name}" as ${client.participant.identity?.participantId ?? '?'}: ${data.train.samples.length} training and ${data.val.samples.length} validation images on this machine\n`,
    );
    if (data.skipped.length > 0) process.stderr.write(`${data.skipped.length} ${data.rows ? 'rows' : 'files'} skipped (first: ${data.skipped[0]?.path}: ${data.skipped[0]?.reason})\n`);
    if (data.notes) process.stderr.write(`${data.notes.length} multi-frame DICOM files: their first frame is used (first: ${data.notes[0]?.path})\n`);
    if (data.unlistedRows) process.stderr.write(`${data.unlistedRows.length} rows of ${args.labels ?? 'the labels CSV'} name no file found (first: ${data.unlistedRows[0]})\n`);
    process.on('SIGINT', () => finished());
    process.on('SIGTERM', () => finished());
    await done;
    if (args.export) await exportSegments(client, args.export);
    client.close();
    return 0;
  } catch (error) {
    if (error instanceof JoinError) process.stderr.write(`could not join: ${error.error.code}: ${error.message}\n`);
    else process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

void main().then((code) => process.exit(code));
