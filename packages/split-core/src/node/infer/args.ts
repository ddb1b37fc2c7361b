import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError } from '../command';

// The inference command's flags, validated once at start-up (STYLE.md §17).

export const USAGE = `Usage: npm run infer -- --client PATH [--client PATH] --server PATH --data DIR|demo [options]

Runs labelled images through a study's exported segments (client -> server, and on to the
client head for U-shaped) and scores the predictions: accuracy, AUC, sensitivity,
specificity and the confusion matrix.

  --client PATH      a client segment: its folder (model.json + weights file), its model
                     .json file, or the folder \`npm run client -- --export DIR\` wrote
                     (all its segments); repeat for the U-shaped head
  --server PATH      the server segment: the folder \`npm run export\` wrote
  --data DIR|demo    labelled images, one sub-folder per class named like the study's
                     classes (<class>/<file>: PNG, JPEG or DICOM); or 'demo' for the
                     generated images
  --labels FILE      a CSV labelling the files in --data instead of folder names: file,label
                     rows, each file named by its path below --data, its name, or (DICOM) its
                     SOP Instance UID
  --shard K/N        with --data demo: the validation images demo client K of N kept on its
                     device (as \`npm run client -- --data demo --shard K/N\`); repeatable.
                     Without it, --data demo is the generated validation set
  --batch B          images per forward pass (default: the study's batch size)
  --cut-codec NAME   study | fp32 | fp16 | int8: round each cut tensor as the wire codec
                     does; 'study' (default) reproduces the study's own validation exactly
  --backend NAME     wasm | cpu (default wasm)
  --json             print one JSON object with the results on stdout
  --help             show this help
`;

const shardSchema = z
  .string()
  .regex(/^\d+\/\d+$/, '--shard must look like K/N, e.g. 1/4')
  .transform((text) => {
    const [k, n] = text.split('/').map(Number) as [number, number];
    return { index: k - 1, count: n };
  })
  .refine((shard) => shard.index >= 0 && shard.index < shard.count, '--shard K/N needs 1 <= K <= N');

const InferArgsSchema = z
  .object({
    client: z.array(z.string().min(1)).min(1, '--client is required: the folder of a client segment'),
    server: z.array(z.string().min(1)).min(1, '--server is required: the folder of the server segment'),
    data: z.string({ error: '--data is required: a folder of labelled images, or demo' }).min(1),
    labels: z.string().min(1, '--labels needs a CSV file').optional(),
    shard: z.array(shardSchema).default([]),
    batch: z.coerce.number({ error: '--batch must be a number' }).int('--batch must be a whole number').positive('--batch must be at least 1').max(4096).optional(),
    cutCodec: z.enum(['study', 'fp32', 'fp16', 'int8'], { error: '--cut-codec must be study, fp32, fp16 or int8' }).default('study'),
    backend: z.enum(['wasm', 'cpu'], { error: '--backend must be wasm or cpu' }).default('wasm'),
    json: z.boolean().default(false),
  })
  .refine((args) => args.shard.length === 0 || args.data === 'demo', { message: '--shard only goes with --data demo', path: ['shard'] })
  .refine((args) => args.labels === undefined || args.data !== 'demo', { message: '--labels labels a folder of images (--data DIR)', path: ['labels'] });

export type InferArgs = z.infer<typeof InferArgsSchema>;

export { UsageError };

/** Parses argv; returns undefined when --help was asked for. */
export function parseInferArgs(argv: string[]): InferArgs | undefined {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        client: { type: 'string', multiple: true },
        server: { type: 'string', multiple: true },
        data: { type: 'string' },
        labels: { type: 'string' },
        shard: { type: 'string', multiple: true },
        batch: { type: 'string' },
        'cut-codec': { type: 'string' },
        backend: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return undefined;
  const { 'cut-codec': cutCodec, help: _help, ...rest } = values;
  const parsed = InferArgsSchema.safeParse({ client: [], server: [], ...rest, cutCodec });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  return parsed.data;
}
