import { describe, expect, it } from 'vitest';
import type { WireEntry } from '../apps/relay-server/src/testing/wire_log_reader';
import { auditParticipant, entriesByParticipant, type DeclaredTraffic } from './wire_audit';

// The wire audit is what lets the browser tests fail when something undeclared leaves a
// device, so it gets its own checks: a clean record passes, and each kind of leak is caught.

const declared: DeclaredTraffic = {
  studyId: 'study-1',
  codec: 'fp32',
  batchSize: 32,
  cutShape: [14, 14, 32],
  sendsLabels: true,
  clientWeights: [
    { name: 'conv1/kernel', shape: [3, 3, 1, 32] },
    { name: 'conv1/bias', shape: [32] },
  ],
};

function entry(event: string, args: unknown[], participant: string | null = 'p1', socket = 's1'): WireEntry {
  return { at: 0, socket, participant, event, args };
}

const header = (kind: string, step = 0, phase = 'train'): Record<string, unknown> => ({ studyId: 'study-1', round: 0, phase, step, seq: 0, kind });
const activations = (batch: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ binary: 'frame', bytes: 100 * batch, name: 'activations', dtype: 'float32', shape: [batch, 14, 14, 32], encoding: 'fp32', ...extra });
const labels = (batch: number): Record<string, unknown> => ({ binary: 'frame', bytes: 22 + 4 * batch, name: 'labels', dtype: 'int32', shape: [batch], encoding: 'fp32' });
const weights = (tensors = declared.clientWeights): Record<string, unknown> => ({ binary: 'bundle', bytes: 1366, tensors: tensors.map((tensor) => ({ ...tensor, dtype: 'float32', encoding: 'fp32' })) });
const hello = { protocolVersion: 1, joinCode: 'ABCD1234', client: { kind: 'browser', backend: 'wasm' }, data: { trainCount: 400, valCount: 100, classCounts: { normal: 200, pneumonia: 200 } } };

const clean: WireEntry[] = [
  entry('participant:hello', [hello, '[ack]'], null),
  entry('step:frame', [header('activations'), activations(32)]),
  entry('step:frame', [header('labels'), labels(32)]),
  entry('step:frame', [header('activations', 1, 'eval'), activations(4)]),
  entry('step:frame', [header('labels', 1, 'eval'), labels(4)]),
  entry('ack:epoch:start', [{ ok: true, steps: 1 }]),
  entry('ack:weights:request', [{ ok: true, bundles: [weights()] }]),
];

describe('wire audit', () => {
  it('passes a record of declared tensors and small control messages, and totals the bytes by kind', () => {
    const audit = auditParticipant(clean, declared);
    expect(audit.problems).toEqual([]);
    expect(audit.bytes).toEqual({ activations: 3600, labels: 22 + 128 + 22 + 16, weights: 1366, alignment: 0 });
    expect(audit.fullBatchBytes).toEqual({ activations: [3200], labels: [150] });
    expect([audit.trainSteps, audit.evalSteps, audit.weightUploads]).toEqual([1, 1, 1]);
  });

  it('groups the hello (sent before the relay knew the participant) with its socket', () => {
    const grouped = entriesByParticipant([...clean, entry('step:frame', [header('activations'), activations(32)], 'p2', 's2')], ['p1']);
    expect(grouped.get('p1')?.map((item) => item.event)).toEqual(clean.map((item) => item.event));
  });

  it.each([
    ['an undeclared kind of frame', entry('step:frame', [header('gradients'), activations(32)])],
    ['activations of the wrong shape', entry('step:frame', [header('activations'), activations(32, { shape: [32, 28, 28, 1] })])],
    ['activations in another codec', entry('step:frame', [header('activations'), activations(32, { encoding: 'fp16' })])],
    ['a batch larger than declared', entry('step:frame', [header('activations'), activations(64)])],
    ['a payload that is not a codec frame', entry('step:frame', [header('activations'), { binary: 'unknown', bytes: 784 }])],
    ['a frame for another study', entry('step:frame', [{ ...header('activations'), studyId: 'study-2' }, activations(32)])],
    ['a weight bundle with more than the client segment', entry('ack:weights:request', [{ ok: true, bundles: [weights([...declared.clientWeights, { name: 'conv2/kernel', shape: [3, 3, 32, 64] }])] }])],
    ['binary data in a control message', entry('participant:hello', [{ ...hello, thumbnail: { binary: 'unknown', bytes: 784 } }])],
    ['pixels as numbers in a control message', entry('ack:epoch:start', [{ ok: true, steps: 1, sample: Array.from({ length: 784 }, (_, i) => i % 256) }])],
    ['an image as base64 in a control message', entry('participant:status', [{ status: 'ready', note: 'iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAAAAABXZoBIAAAA' }])],
  ])('reports %s', (_what, leak) => {
    expect(auditParticipant([...clean, leak], declared).problems).toHaveLength(1);
  });

  it('reports labels where the topology keeps them on the device', () => {
    const audit = auditParticipant(clean, { ...declared, sendsLabels: false });
    expect(audit.problems).toHaveLength(2);
    expect(audit.problems[0]).toMatch(/'labels' frame, which this study does not declare/);
  });

  describe('a vertical party aligning its rows', () => {
    const opaque = (bytes: number): Record<string, unknown> => ({ binary: 'unknown', bytes, hex: null });
    const aligning: WireEntry[] = [
      entry('ack:align:start', [{ ok: true, publicKey: opaque(32), points: opaque(3 * 32) }]),
      entry('ack:align:blind', [{ ok: true, points: opaque(5 * 32) }]),
      entry('ack:align:tags', [{ ok: true, tags: opaque(3 * 32) }]),
      entry('ack:align:intersect', [{ ok: true, aligned: 2, train: 2, val: 0 }]),
    ];
    const party = { ...declared, alignment: { rows: 3 } };

    it('passes opaque 32-byte elements, its own rows’ worth, and totals them', () => {
      const audit = auditParticipant([...clean, ...aligning], party);
      expect(audit.problems).toEqual([]);
      expect(audit.bytes.alignment).toBe(32 + 96 + 160 + 96);
    });

    it.each([
      ['more blinded ids than the party declared', entry('ack:align:start', [{ ok: true, publicKey: opaque(32), points: opaque(4 * 32) }])],
      ['a tensor where opaque elements belong', entry('ack:align:blind', [{ ok: true, points: activations(32) }])],
      ['elements that are not 32 bytes', entry('ack:align:tags', [{ ok: true, tags: opaque(3 * 32 + 1) }])],
    ])('reports %s', (_what, leak) => {
      expect(auditParticipant([...clean, leak], party).problems.length).toBeGreaterThan(0);
    });

    it('reports an alignment reply from a participant that declares none', () => {
      expect(auditParticipant([...clean, ...aligning], declared).problems).toHaveLength(aligning.length);
    });
  });
});
