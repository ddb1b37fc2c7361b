import { z } from 'zod';
import { data, schedule as scheduleLib, type protocol } from '@splitlearn/split-core';
import type { Logger } from '../logger';
import type { Database } from '../storage/database';
import { readSetting, writeSetting } from '../storage/settings';
import type { StudyRegistry } from './study_registry';

// Studies on the generated demo dataset: the one `npm start` creates on first start, and the
// conference booth's (POST /api/demo): a fresh, already training study for K simulated
// hospitals, sized to show its curves within a minute or two on a laptop's two cores.

export const DEMO_STUDY: protocol.HorizontalStudyConfigInput = {
  name: 'Demo: chest X-ray nodules (generated data)',
  model: 'cnn-small',
  inputShape: [28, 28, 1],
  classes: [...data.DEMO_CLASSES],
  topology: 'vanilla',
  schedule: 'splitfed-v2',
  rounds: 20,
  batchSize: 32,
  // Each participant's epoch is capped: a participant declaring a huge training set cannot make a round last for ever.
  maxStepsPerRound: 25,
  learningRate: 0.001,
  minClients: 1,
  // Not the default augmentation: the generated scenes differ only in a lesion's shape (a ring
  // with a rim under a pixel wide, or a blob), which resampling blurs; in 3 epochs it left
  // validation accuracy at 0.50-0.92 over 4 seeds, against 0.91-0.92 without (npm run sim -- --data demo).
  augmentation: false,
};

export const BOOTH_MIN_HOSPITALS = 2;
export const BOOTH_MAX_HOSPITALS = 16;

export const BoothRequestSchema = z.strictObject({
  hospitals: z.number().int().min(BOOTH_MIN_HOSPITALS).max(BOOTH_MAX_HOSPITALS),
  schedule: z.enum(scheduleLib.SCHEDULE_NAMES as [string, ...string[]]).optional(),
});
export type BoothRequest = z.infer<typeof BoothRequestSchema>;

/**
 * U-shaped, ten rounds of at most 8 steps of 32 images per hospital: with 2 hospitals about 2.5 passes
 * over the 2,000 demo images (cnn-small reaches ~0.9 validation accuracy on them in 3), and a
 * round every few seconds, so the booth sees progress at once; with 16 hospitals each holds
 * only 100 training images (4 steps), which keeps a round short too.
 */
export function boothStudyConfig(request: BoothRequest): protocol.HorizontalStudyConfigInput {
  return {
    ...DEMO_STUDY,
    name: `Booth demo: ${request.hospitals} hospitals (generated data)`,
    // U-shaped: each hospital keeps its labels and computes its own loss, which its card shows
    // (in vanilla the loss exists only on the relay), and the booth shows the private variant.
    topology: 'u-shaped',
    schedule: request.schedule ?? 'splitfed-v2',
    rounds: 10,
    maxStepsPerRound: 8,
    learningRate: 0.002,
    minClients: request.hospitals,
  };
}

/**
 * The settings keys of the booth studies this relay created and has not deleted yet: a list,
 * so one left by a crash mid-rotation is deleted next time (the single id is what earlier
 * versions wrote).
 */
const BOOTH_STUDIES_SETTING = 'demo-booth-studies';
const EARLIER_BOOTH_STUDY_SETTING = 'demo-booth-study';

export interface BoothStudy {
  studyId: string;
  joinCode: string;
  config: protocol.StudyConfig;
}

/**
 * The booth keeps one study: each new one deletes those before it (with their participants,
 * metrics and checkpoints), so an unattended booth laptop does not fill its disk and a page
 * left open elsewhere cannot keep an old booth study alive. Requests take turns, so two
 * visitors pressing Start at once still leave one booth study.
 */
export class DemoBooth {
  #turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly registry: StudyRegistry,
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  start(request: BoothRequest): Promise<BoothStudy> {
    const started = this.#turn.then(() => this.#rotate(request));
    this.#turn = started.catch(() => undefined);
    return started;
  }

  async #rotate(request: BoothRequest): Promise<BoothStudy> {
    const older = [...(readSetting(this.db, BOOTH_STUDIES_SETTING, z.array(z.string())) ?? []), ...[readSetting(this.db, EARLIER_BOOTH_STUDY_SETTING, z.string())].filter((id) => id !== undefined)];
    // Deleted before the new one starts: its segment worker is gone before the next one loads.
    for (const studyId of new Set(older)) {
      if (await this.registry.deleteStudy(studyId, 'relay')) this.log.info('older booth study deleted', { study: studyId });
    }
    const created = this.registry.create(boothStudyConfig(request), 'training', 'relay');
    writeSetting(this.db, BOOTH_STUDIES_SETTING, [created.id]);
    this.log.info('booth study created', { study: created.id, joinCode: created.joinCode, hospitals: request.hospitals, schedule: created.config.schedule });
    return { studyId: created.id, joinCode: created.joinCode, config: created.config };
  }
}
