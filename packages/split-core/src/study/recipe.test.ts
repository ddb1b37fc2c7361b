import { describe, expect, it } from 'vitest';
import { StudyConfigSchema } from './config';
import { studyRoleOptions } from './model';
import { balancedClassWeights } from './recipe';

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

  it('refuses class weights that do not match the classes, and augmentation of a table, at the field', () => {
    const weights = StudyConfigSchema.safeParse({ ...study, classWeights: [1, 2, 3] });
    expect(weights.success).toBe(false);
    expect(weights.error?.issues[0]?.path).toEqual(['classWeights']);
    expect(weights.error?.issues[0]?.message).toMatch(/3 weights for 2 classes/);
    const table = StudyConfigSchema.safeParse({ ...study, model: 'mlp', inputShape: [30], augmentation: {} });
    expect(table.success).toBe(false);
    expect(table.error?.issues[0]?.path).toEqual(['augmentation']);
    expect(StudyConfigSchema.safeParse({ ...study, augmentation: { rotation: 90 } }).success).toBe(false);
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
