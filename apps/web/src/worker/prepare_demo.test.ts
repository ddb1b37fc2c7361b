import { data } from '@splitlearn/split-core';
import { describe, expect, it } from 'vitest';
import { keepLocalValidation } from './prepare_dataset';
import { prepareDemoShard } from './prepare_demo';

const study = { classes: ['normal', 'nodule'], inputShape: [28, 28, 1], validationFraction: 0.2, seed: 1 };

describe('prepareDemoShard', () => {
  it("holds the hospital's own shard, split as a clinician's folder is", () => {
    const prepared = prepareDemoShard(2, 4, study);
    expect(prepared.train.samples.length + prepared.val.samples.length).toBe(500);
    expect(prepared.val.samples).toHaveLength(100);
    expect(prepared.train.sampleShape).toEqual([28, 28, 1]);
    expect(prepared.classes.map((entry) => entry.name)).toEqual(['normal', 'nodule']);
    expect(prepared.skipped).toEqual([]);
    // The same split the folder path makes of the same labelled images.
    const folderWay = keepLocalValidation(data.generateDemoShard({ hospital: 2, hospitals: 4 }).samples, ['normal', 'nodule'], [28, 28, 1], study);
    expect(prepared.val.samples.map((sample) => sample.id)).toEqual(folderWay.val.samples.map((sample) => sample.id));
  });

  it('gives hospitals disjoint images', () => {
    const ids = (hospital: number): string[] => {
      const prepared = prepareDemoShard(hospital, 3, study);
      return [...prepared.train.samples, ...prepared.val.samples].map((sample) => sample.id);
    };
    const [a, b, c] = [ids(0), ids(1), ids(2)];
    expect(new Set([...a, ...b, ...c]).size).toBe(a.length + b.length + c.length);
  });

  it("relabels to the study's spelling and order of the classes", () => {
    const prepared = prepareDemoShard(0, 8, { ...study, classes: ['Nodule', 'NORMAL'] });
    const original = new Map(data.generateDemoShard({ hospital: 0, hospitals: 8 }).samples.map((sample) => [sample.id, sample.label]));
    for (const sample of prepared.train.samples) expect(sample.label).toBe(1 - (original.get(sample.id) ?? -1));
  });

  it('refuses a study that is not on the demo classes', () => {
    expect(() => prepareDemoShard(0, 2, { ...study, classes: ['normal', 'pneumonia'] })).toThrow(/demo dataset/);
  });
});
