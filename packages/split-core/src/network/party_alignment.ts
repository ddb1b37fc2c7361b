import { alignedTrainingData, type AlignedParty } from '../alignment/aligned_parties';
import { packPoints, unpackPoints } from '../alignment/packing';
import { PsiParticipant } from '../alignment/psi_participant';
import { POINT_BYTES, TAG_BYTES } from '../alignment/psi_party';
import type { Dataset } from '../data/dataset';
import type { Binary } from '../protocol/events';
import { AlignStartSchema, AlignStepSchema } from '../protocol/messages';
import type { StudyInfo } from '../protocol/messages';
import type { RelayError } from '../protocol/errors';
import type { ParticipantSocket } from './participant';

// A vertical party's side of aligning rows over the relay: answers the relay's align:* steps
// with its PsiParticipant (alignment/), then keeps its rows in the common order, split and
// scaled, for training. Nothing but blinded points, a public key, sealed keys, tags and
// counts ever leaves.

/** Most rows a party may bring to an alignment: a bound on what a hostile relay can make it compute. */
export const MAX_ALIGNED_ROWS = 1_000_000;

export type AlignmentStep = 'started' | 'blinding' | 'tags' | 'aligned';

export interface AlignmentStatus {
  step: AlignmentStep;
  /** This party's rows. */
  rows: number;
  /** Rows every party holds, once aligned. */
  aligned?: number;
  train?: number;
  val?: number;
}

function toBytes(payload: Binary): Uint8Array {
  return payload instanceof Uint8Array ? payload : new Uint8Array(payload);
}

function failure(error: unknown): { ok: false; error: RelayError } {
  return { ok: false, error: { code: 'bad-message', message: error instanceof Error ? error.message : String(error) } };
}

export class PartyAlignment {
  private psi: PsiParticipant | undefined;
  private result: AlignedParty | undefined;

  constructor(
    socket: ParticipantSocket,
    private readonly rows: Dataset,
    private readonly study: () => StudyInfo | undefined,
    private readonly onStatus: (status: AlignmentStatus) => void = () => undefined,
    /** Counts every blinded id, key and tag that crosses, both ways (kind 'alignment' in the traffic meter). */
    private readonly record: (direction: 'up' | 'down', bytes: number) => void = () => undefined,
  ) {
    socket.on('align:start', (start, ack) => {
      try {
        const { studyId } = AlignStartSchema.parse(start);
        this.checkStudy(studyId);
        this.result = undefined;
        // Bound to the study: the same patient is blinded differently in any other study.
        this.psi = new PsiParticipant(
          this.rows.samples.map((sample) => sample.id),
          studyId,
        );
        const started = this.psi.start();
        this.onStatus({ step: 'started', rows: this.rows.samples.length });
        const points = packPoints(started.points, POINT_BYTES);
        this.record('up', started.publicKey.byteLength + points.byteLength);
        ack({ ok: true, publicKey: started.publicKey, points });
      } catch (error) {
        ack(failure(error));
      }
    });
    socket.on('align:seal', (step, publicKeys, ack) => {
      try {
        this.checkStudy(AlignStepSchema.parse(step).studyId);
        const keys = publicKeys.map(toBytes);
        this.record('down', keys.reduce((sum, key) => sum + key.byteLength, 0));
        const sealed = this.requirePsi().seal(keys);
        this.record('up', sealed.reduce((sum, key) => sum + key.byteLength, 0));
        ack({ ok: true, sealed });
      } catch (error) {
        ack(failure(error));
      }
    });
    socket.on('align:blind', (step, points, ack) => {
      try {
        this.checkStudy(AlignStepSchema.parse(step).studyId);
        const received = toBytes(points);
        this.record('down', received.byteLength);
        const blinded = packPoints(this.requirePsi().blind(unpackPoints(received, POINT_BYTES, MAX_ALIGNED_ROWS)), POINT_BYTES);
        this.onStatus({ step: 'blinding', rows: this.rows.samples.length });
        this.record('up', blinded.byteLength);
        ack({ ok: true, points: blinded });
      } catch (error) {
        ack(failure(error));
      }
    });
    socket.on('align:tags', (step, points, leaderKey, sealed, ack) => {
      try {
        this.checkStudy(AlignStepSchema.parse(step).studyId);
        const received = [toBytes(points), toBytes(leaderKey), ...(sealed === null ? [] : [toBytes(sealed)])];
        this.record('down', received.reduce((sum, bytes) => sum + bytes.byteLength, 0));
        const [ownPoints, leader, sealedKey] = received as [Uint8Array, Uint8Array, Uint8Array | undefined];
        const tags = packPoints(this.requirePsi().tags(unpackPoints(ownPoints, POINT_BYTES, MAX_ALIGNED_ROWS), leader, sealedKey), TAG_BYTES);
        this.onStatus({ step: 'tags', rows: this.rows.samples.length });
        this.record('up', tags.byteLength);
        ack({ ok: true, tags });
      } catch (error) {
        ack(failure(error));
      }
    });
    socket.on('align:intersect', (step, tagSets, ack) => {
      try {
        this.checkStudy(AlignStepSchema.parse(step).studyId);
        const study = this.study();
        if (!study) throw new Error('join the study first');
        const sets = tagSets.map(toBytes);
        this.record('down', sets.reduce((sum, bytes) => sum + bytes.byteLength, 0));
        const intersection = this.requirePsi().intersect(sets.map((tags) => unpackPoints(tags, TAG_BYTES, MAX_ALIGNED_ROWS)));
        this.result = alignedTrainingData(this.rows, intersection, study.config);
        const counts = { aligned: this.result.aligned, train: this.result.train.samples.length, val: this.result.val.samples.length };
        this.onStatus({ step: 'aligned', rows: this.rows.samples.length, ...counts });
        ack({ ok: true, ...counts });
      } catch (error) {
        ack(failure(error));
      }
    });
  }

  /** The rows every party holds, in the common order, split and scaled; undefined before the alignment. */
  get aligned(): AlignedParty | undefined {
    return this.result;
  }

  private requirePsi(): PsiParticipant {
    if (!this.psi) throw new Error('the relay asked for an alignment step before starting the alignment');
    return this.psi;
  }

  private checkStudy(studyId: string): void {
    const study = this.study();
    if (!study || study.id !== studyId) throw new Error(`alignment for study ${studyId}, but this participant is in ${study?.id ?? 'no study'}`);
  }
}
