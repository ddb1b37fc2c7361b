import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServerLabelRepository } from './server_labels';
import { StudyRepository } from './studies';
import { useDatabase } from './test_support';

// The researcher's table of labels for a vertical study whose server holds them: kept as
// given, replaced when given again, and gone with its study.

const { withDb } = useDatabase();

describe('ServerLabelRepository', () => {
  it('keeps the latest table of a study, and deletes it with the study', () => {
    withDb((db) => {
      const studies = new StudyRepository(db, z.object({ model: z.string() }));
      const study = studies.create({ name: 'vertical', config: { model: 'mlp-head' } });
      const labels = new ServerLabelRepository(db, { now: () => 7 });
      expect(labels.get(study.id)).toBeUndefined();
      labels.save(study.id, { idColumn: 'patient_id', csv: 'patient_id,outcome\nP1,yes', rows: 1 });
      labels.save(study.id, { idColumn: 'mrn', csv: 'mrn,outcome\nP1,yes\nP2,no', rows: 2 });
      expect(labels.get(study.id)).toEqual({ idColumn: 'mrn', csv: 'mrn,outcome\nP1,yes\nP2,no', rows: 2 });
      expect(() => labels.save('no-such-study', { idColumn: 'id', csv: '', rows: 0 })).toThrow(/FOREIGN KEY/);
      studies.delete(study.id);
      expect(labels.get(study.id)).toBeUndefined();
    });
  });
});
