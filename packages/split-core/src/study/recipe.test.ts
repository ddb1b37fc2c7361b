import { describe, expect, it } from 'vitest';
import { StudyConfigSchema } from './config';
import { studyRoleOptions } from './model';
import { privacyDisclosure } from './privacy_disclosure';
import { balancedClassWeights, withRecipeDefaults } from './recipe';

const study = { name: 'recipe', topology: 'vanilla', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'pneumonia'], schedule: 'round-robin', rounds: 12 };

describe('a study\'s training recipe', () => {
  it('reaches every role as the study sets it: the schedule over its rounds, weight decay, the loss, the augmentation', () => {
    const config = StudyConfigSchema.parse({ ...study, learningRateSchedule: 'cosine', weightDecay: 0.01, labelSmoothing: 0.05, classWeights: [1.9, 0.7], augmentation: { rotation: 5 } });
    const options = studyRoleOptions(config);
    expect(options.optimizer).toEqual({ name: 'adam', learningRate: 0.001, schedule: { kind: 'cosine', rounds: 12 }, weightDecay: 0.01 });
    expect(options.loss).toEqual({ labelSmoothing: 0.05, classWeights: [1.9, 0.7] });
    expect(options.augmentation).toEqual({ shift: 0.1, rotation: 5, zoom: 0.1, brightness: 0.1, contrast: 0.1, flip: false });
  });

  it('is plain training when the study sets none of it', () => {
    const options = studyRoleOptions(StudyConfigSchema.parse(study));
    expect(options.optimizer).toEqual({ name: 'adam', learningRate: 0.001 });
    expect(options.loss).toBeUndefined();
    expect(options.augmentation).toBeUndefined();
  });

  it('gives a new image study the default augmentation and nothing else; false, a table and parties keep none', () => {
    const created = withRecipeDefaults(StudyConfigSchema.parse(study));
    expect('augmentation' in created && created.augmentation).toEqual({ shift: 0.1, rotation: 10, zoom: 0.1, brightness: 0.1, contrast: 0.1, flip: false });
    const options = studyRoleOptions(created);
    expect(options.augmentation).toEqual({ shift: 0.1, rotation: 10, zoom: 0.1, brightness: 0.1, contrast: 0.1, flip: false });
    expect(options.optimizer).toEqual({ name: 'adam', learningRate: 0.001 });
    expect(options.loss).toBeUndefined();
    // The stored config names it, and parses back as itself (the relay re-reads stored studies).
    expect(StudyConfigSchema.parse(JSON.parse(JSON.stringify(created)))).toEqual(created);
    expect(privacyDisclosure(created).some((line) => /augmented .* on this device/.test(line))).toBe(true);
    // A creator's own bounds stay as given.
    const own = withRecipeDefaults(StudyConfigSchema.parse({ ...study, augmentation: { rotation: 3 } }));
    expect('augmentation' in own && own.augmentation && own.augmentation.rotation).toBe(3);
    const off = withRecipeDefaults(StudyConfigSchema.parse({ ...study, augmentation: false }));
    expect(studyRoleOptions(off).augmentation).toBeUndefined();
    expect(privacyDisclosure(off).some((line) => /augmented/.test(line))).toBe(false);
    const table = withRecipeDefaults(StudyConfigSchema.parse({ ...study, model: 'mlp', inputShape: [30] }));
    expect(studyRoleOptions(table).augmentation).toBeUndefined();
    const parties = StudyConfigSchema.parse({ name: 'v', topology: 'vertical', classes: ['a', 'b'], schedule: 'round-robin', parties: [{ name: 'P', input: { columns: ['x'] } }, { name: 'Q', input: { image: [28, 28, 1] } }] });
    expect(withRecipeDefaults(parties)).toEqual(parties);
  });

  it('refuses class weights that do not match the classes, and augmentation of a table, at the field', () => {
    const weights = StudyConfigSchema.safeParse({ ...study, classWeights: [1, 2, 3] });
    expect(weights.success).toBe(false);
    expect(weights.error?.issues[0]?.path).toEqual(['classWeights']);
    expect(weights.error?.issues[0]?.message).toMatch(/3 weights for 2 classes/);
    const table = StudyConfigSchema.safeParse({ ...study, model: 'mlp', inputShape: [30], augmentation: {} });
    expect(table.success).toBe(false);
    expect(table.error?.issues[0]?.path).toEqual(['augmentation']);
    expect(StudyConfigSchema.safeParse({ ...study, augmentation: { rotation: 90 } }).success).toBe(false);
    expect(StudyConfigSchema.safeParse({ ...study, augmentation: true }).success).toBe(false);
    expect(StudyConfigSchema.safeParse({ ...study, model: 'mlp', inputShape: [30], augmentation: false }).success).toBe(true);
    const parties = { name: 'v', topology: 'vertical', classes: ['a', 'b'], schedule: 'round-robin', parties: [{ name: 'P', input: { columns: ['x'] } }, { name: 'Q', input: { columns: ['y'] } }] };
    expect(StudyConfigSchema.safeParse(parties).success).toBe(true);
    const vertical = StudyConfigSchema.safeParse({ ...parties, augmentation: {} });
    expect(vertical.error?.issues[0]?.message).toMatch(/augmentation is for studies of one image model/);
  });

  it('balances class weights so each class counts as much as the others', () => {
    const weights = balancedClassWeights([1214, 3494]);
    expect(weights[0] as number * 1214).toBeCloseTo(weights[1] as number * 3494, 6);
    // Mean weight over the samples is 1: the loss keeps its scale.
    expect(((weights[0] as number) * 1214 + (weights[1] as number) * 3494) / 4708).toBeCloseTo(1, 10);
  });
});
