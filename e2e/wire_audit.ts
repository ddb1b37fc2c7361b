// Checks what a set of participants actually sent, as the relay's wire log recorded it,
// against what their study declares.
import { WireBinarySchema, WireStepHeaderSchema, type WireBinary, type WireEntry } from '../apps/relay-server/src/testing/wire_log_reader';

/**
 * Control messages are small JSON. A picture would show up as a long run of numbers (a
 * 28x28 image is 784 of them), a long string (base64) or a PNG signature; the largest
 * legitimate control message (an epoch reply with metrics and a confusion matrix) holds
 * about 15 numbers.
 */
const MAX_NUMBERS_PER_MESSAGE = 64;
const MAX_STRING_CHARS = 512;
const IMAGE_SIGNATURES = ['iVBORw0KGgo' /* PNG, base64 */, '\u0089PNG', '/9j/' /* JPEG, base64 */, 'data:image'];

/**
 * Every entry sent by these participants, including what their sockets sent before the
 * relay knew who they were (the hello), grouped by participant.
 */
export function entriesByParticipant(entries: readonly WireEntry[], participantIds: readonly string[]): Map<string, WireEntry[]> {
  const wanted = new Set(participantIds);
  const owner = new Map<string, string>();
  for (const entry of entries) if (entry.participant !== null && wanted.has(entry.participant)) owner.set(entry.socket, entry.participant);
  const grouped = new Map<string, WireEntry[]>(participantIds.map((id) => [id, []]));
  for (const entry of entries) {
    const participant = owner.get(entry.socket);
    if (participant !== undefined) grouped.get(participant)?.push(entry);
  }
  return grouped;
}

interface Found {
  path: string;
  binary: WireBinary;
}

/** Splits a decoded message into its binary payloads and everything else. */
function binariesIn(value: unknown, at: string, found: Found[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => binariesIn(item, `${at}[${index}]`, found));
  } else if (value !== null && typeof value === 'object') {
    if ('binary' in value) {
      found.push({ path: at, binary: WireBinarySchema.parse(value) });
      return;
    }
    for (const [key, inner] of Object.entries(value)) binariesIn(inner, `${at}.${key}`, found);
  }
}

/** Numbers and suspicious strings in the non-binary part of a message. */
function controlProblems(value: unknown, at: string): string[] {
  let numbers = 0;
  const problems: string[] = [];
  const visit = (inner: unknown, where: string): void => {
    if (typeof inner === 'number') numbers += 1;
    else if (typeof inner === 'string') {
      if (inner.length > MAX_STRING_CHARS) problems.push(`${where}: a ${inner.length}-character string in a control message`);
      const signature = IMAGE_SIGNATURES.find((mark) => inner.includes(mark));
      if (signature !== undefined) problems.push(`${where}: image data ('${signature}') in a control message`);
    } else if (Array.isArray(inner)) inner.forEach((item, index) => visit(item, `${where}[${index}]`));
    else if (inner !== null && typeof inner === 'object' && !('binary' in inner)) for (const [key, item] of Object.entries(inner)) visit(item, `${where}.${key}`);
  };
  visit(value, at);
  if (numbers > MAX_NUMBERS_PER_MESSAGE) problems.push(`${at}: ${numbers} numbers in a control message (pixel data?)`);
  return problems;
}

export interface DeclaredTraffic {
  studyId: string;
  codec: string;
  batchSize: number;
  /** Cut activations per sample, e.g. [14, 14, 32] for cnn-small cut after pool1. */
  cutShape: number[];
  /** Vanilla sends labels to the server; U-shaped keeps them. */
  sendsLabels: boolean;
  /** The client segment's variables, in bundle order. */
  clientWeights: { name: string; shape: number[] }[];
  /** A vertical party: the rows it brought to the alignment (its blinded ids and tags are 32 bytes each). */
  alignment?: { rows: number };
}

/** Bytes of each blinded id, public key, sealed key and tag (alignment/psi_party.ts, group_key.ts). */
const PSI_ELEMENT_BYTES = 32;

export interface ParticipantAudit {
  /** Everything that does not match the declaration; empty when the wire is clean. */
  problems: string[];
  /** Bytes of binary payloads the relay received, by kind. */
  bytes: { activations: number; labels: number; weights: number; alignment: number };
  /** Byte sizes of the full-batch training frames, by kind (one value when all agree). */
  fullBatchBytes: { activations: number[]; labels: number[] };
  trainSteps: number;
  evalSteps: number;
  weightUploads: number;
  events: string[];
}

const same = (a: readonly number[] | undefined, b: readonly number[]): boolean => a !== undefined && a.length === b.length && a.every((value, i) => value === b[i]);

function checkStepFrame(entry: WireEntry, declared: DeclaredTraffic, audit: ParticipantAudit): void {
  const where = `${entry.event} (socket ${entry.socket})`;
  const header = WireStepHeaderSchema.safeParse(entry.args[0]);
  const found: Found[] = [];
  binariesIn(entry.args.slice(1), 'args', found);
  const frame = found[0]?.binary;
  if (!header.success || found.length !== 1 || entry.args.length !== 2 || frame === undefined) {
    audit.problems.push(`${where}: expected [header, one binary frame], got ${JSON.stringify(entry.args).slice(0, 300)}`);
    return;
  }
  const { kind, phase, studyId } = header.data;
  if (studyId !== declared.studyId) audit.problems.push(`${where}: frame for study ${studyId}, not ${declared.studyId}`);
  const batch = frame.shape?.[0] ?? 0;
  if (frame.binary !== 'frame' || batch < 1 || batch > declared.batchSize) {
    audit.problems.push(`${where}: ${kind} payload is not a codec frame of 1..${declared.batchSize} samples: ${JSON.stringify(frame)}`);
    return;
  }
  if (kind === 'activations') {
    if (frame.name !== 'activations' || frame.dtype !== 'float32' || frame.encoding !== declared.codec || !same(frame.shape?.slice(1), declared.cutShape)) {
      audit.problems.push(`${where}: activations should be float32 [batch, ${declared.cutShape.join(', ')}] in ${declared.codec}, got ${JSON.stringify(frame)}`);
    }
    audit.bytes.activations += frame.bytes;
    if (phase === 'train' && batch === declared.batchSize) audit.fullBatchBytes.activations.push(frame.bytes);
    if (phase === 'train') audit.trainSteps += 1;
    else audit.evalSteps += 1;
  } else if (kind === 'labels' && declared.sendsLabels) {
    if (frame.name !== 'labels' || frame.dtype !== 'int32' || frame.shape?.length !== 1) {
      audit.problems.push(`${where}: labels should be int32 [batch], got ${JSON.stringify(frame)}`);
    }
    audit.bytes.labels += frame.bytes;
    if (phase === 'train' && batch === declared.batchSize) audit.fullBatchBytes.labels.push(frame.bytes);
  } else {
    audit.problems.push(`${where}: a '${kind}' frame, which this study does not declare (${JSON.stringify(frame)})`);
  }
}

function checkWeightsReply(entry: WireEntry, declared: DeclaredTraffic, audit: ParticipantAudit): void {
  const found: Found[] = [];
  binariesIn(entry.args, 'args', found);
  const expected = declared.clientWeights;
  for (const { path, binary } of found) {
    const tensors = binary.tensors ?? [];
    const matches = binary.binary === 'bundle' && tensors.length === expected.length && tensors.every((tensor, i) => tensor.name === expected[i]?.name && tensor.dtype === 'float32' && same(tensor.shape, expected[i]?.shape ?? []));
    if (!matches) audit.problems.push(`${entry.event} ${path}: expected a bundle of ${JSON.stringify(expected)}, got ${JSON.stringify(binary)}`);
    audit.bytes.weights += binary.bytes;
  }
  if (found.length > 0) audit.weightUploads += 1;
}

/**
 * A vertical party's reply to an alignment step: only opaque 32-byte elements (public key,
 * blinded ids, sealed keys, tags), as many as the step allows: its own rows' worth of
 * blinded ids and tags. Their content is searched for ids by the test that knows them.
 */
function checkAlignmentReply(entry: WireEntry, declared: DeclaredTraffic, audit: ParticipantAudit): void {
  const found: Found[] = [];
  binariesIn(entry.args, 'args', found);
  const rows = declared.alignment?.rows;
  if (rows === undefined) {
    audit.problems.push(`${entry.event}: an alignment reply, but this participant declares no alignment`);
    return;
  }
  for (const { path, binary } of found) {
    if (binary.binary !== 'unknown' || binary.bytes % PSI_ELEMENT_BYTES !== 0) audit.problems.push(`${entry.event} ${path}: expected opaque 32-byte elements, got ${JSON.stringify({ ...binary, hex: undefined })}`);
    audit.bytes.alignment += binary.bytes;
  }
  const own = (what: string): number => found.find((item) => item.path.endsWith(what))?.binary.bytes ?? -1;
  if (entry.event === 'ack:align:start' && (own('.publicKey') !== PSI_ELEMENT_BYTES || own('.points') !== rows * PSI_ELEMENT_BYTES)) {
    audit.problems.push(`${entry.event}: expected a 32-byte public key and ${rows} blinded ids, got ${own('.publicKey')} and ${own('.points')} bytes`);
  }
  if (entry.event === 'ack:align:tags' && own('.tags') !== rows * PSI_ELEMENT_BYTES) audit.problems.push(`${entry.event}: expected ${rows} tags, got ${own('.tags')} bytes`);
}

const ALIGNMENT_REPLIES = new Set(['ack:align:start', 'ack:align:seal', 'ack:align:blind', 'ack:align:tags', 'ack:align:intersect']);

/** Checks everything one participant sent to the relay against its study's declaration. */
export function auditParticipant(entries: readonly WireEntry[], declared: DeclaredTraffic): ParticipantAudit {
  const audit: ParticipantAudit = { problems: [], bytes: { activations: 0, labels: 0, weights: 0, alignment: 0 }, fullBatchBytes: { activations: [], labels: [] }, trainSteps: 0, evalSteps: 0, weightUploads: 0, events: [] };
  for (const entry of entries) {
    if (!audit.events.includes(entry.event)) audit.events.push(entry.event);
    audit.problems.push(...controlProblems(entry.args, entry.event));
    if (entry.event === 'step:frame') checkStepFrame(entry, declared, audit);
    else if (entry.event === 'ack:weights:request') checkWeightsReply(entry, declared, audit);
    else if (ALIGNMENT_REPLIES.has(entry.event)) checkAlignmentReply(entry, declared, audit);
    else {
      const found: Found[] = [];
      binariesIn(entry.args, 'args', found);
      for (const { path, binary } of found) audit.problems.push(`${entry.event} ${path}: binary payload where none is declared (${JSON.stringify(binary)})`);
    }
  }
  audit.events.sort();
  return audit;
}
