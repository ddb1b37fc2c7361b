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
  learningRate: 0.001,
  minClients: 1,
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

/** The settings key holding the booth's current study id: one booth, one study at a time. */
const BOOTH_STUDY_SETTING = 'demo-booth-study';

export interface BoothStudy {
  studyId: string;
  joinCode: string;
  config: protocol.StudyConfig;
}

export class DemoBooth {
  constructor(
    private readonly registry: StudyRegistry,
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  /** Finishes the booth's previous study if it still runs (its segment worker is released), then starts a new one. */
  start(request: BoothRequest): BoothStudy {
    const previous = readSetting(this.db, BOOTH_STUDY_SETTING, z.string());
    const running = previous ? this.registry.get(previous) : undefined;
    if (previous && running && running.state !== 'finished') {
      this.registry.control(previous, 'stop', 'relay');
      this.log.info('previous booth study finished', { study: previous });
    }
    const created = this.registry.create(boothStudyConfig(request), 'training', 'relay');
    writeSetting(this.db, BOOTH_STUDY_SETTING, created.id);
    this.log.info('booth study created', { study: created.id, joinCode: created.joinCode, hospitals: request.hospitals, schedule: created.config.schedule });
    return { studyId: created.id, joinCode: created.joinCode, config: created.config };
  }
}
