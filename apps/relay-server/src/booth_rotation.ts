import { z } from 'zod';
import type { Logger } from './logger';
import type { Database } from './storage/database';
import { readSetting, writeSetting } from './storage/settings';
import type { BoothRequest, BoothStudy, DemoBooth } from './studies/demo_studies';
import type { StudyRegistry } from './studies/study_registry';

// The booth keeps one study: each new booth study deletes the ones before it (with their
// participants, metrics and checkpoints), so an unattended booth laptop does not fill its
// disk, and a page left open elsewhere cannot keep an old booth study alive. Requests take
// turns, so two visitors pressing Start at once still leave one booth study.

/** The booth studies this relay created and has not deleted yet; a list, so one left by a crash mid-rotation is deleted next time. */
const BOOTH_STUDIES_SETTING = 'demo-booth-studies';

export class BoothRotation {
  #turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly booth: DemoBooth,
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
    const older = readSetting(this.db, BOOTH_STUDIES_SETTING, z.array(z.string())) ?? [];
    // Deleted before the new one starts: its segment worker is gone before the next one loads.
    for (const studyId of older) {
      if (await this.registry.deleteStudy(studyId, 'relay')) this.log.info('older booth study deleted', { study: studyId });
    }
    const created = this.booth.start(request);
    writeSetting(this.db, BOOTH_STUDIES_SETTING, [created.studyId]);
    return created;
  }
}
