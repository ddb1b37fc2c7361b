import { describe, expect, it } from 'vitest';
import { horizontalStudy, StudyConfigSchema, UnsupportedStudyError } from './config';
import { studyMethod, studyScheduleName } from './method';
import { studyRolePlans } from './model';

const vertical = {
  name: 'Breast cancer, two hospitals',
  topology: 'vertical',
  classes: ['benign', 'malignant'],
  schedule: 'round-robin',
  parties: [
    { name: 'Pathology', input: { columns: ['mean_radius', 'mean_texture'] } },
    { name: 'Radiology', input: { image: [28, 14, 1] }, model: 'cnn-party' },
  ],
  labelColumn: 'diagnosis',
};

describe('study configuration', () => {
  it('takes a baseline method on a vanilla study: the whole model on every client, no server segment, the baseline\'s own rounds', () => {
    const base = { name: 'baseline', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['a', 'b'], topology: 'vanilla', schedule: 'splitfed-v2' };
    const fedavg = StudyConfigSchema.parse({ ...base, method: 'fedavg', localEpochs: 3 });
    expect(studyMethod(fedavg)).toMatchObject({ name: 'fedavg', serverSegment: false, localEpochs: true });
    expect(studyScheduleName(fedavg)).toBe('fedavg');
    const plans = studyRolePlans(fedavg);
    expect(plans.server).toEqual([]);
    expect(plans.client('').map((plan) => plan.layers.map((layer) => layer.name))).toEqual([studyRolePlans(StudyConfigSchema.parse(base)).client('')[0]?.layers.map((layer) => layer.name).concat(studyRolePlans(StudyConfigSchema.parse(base)).server.flatMap((plan) => plan.layers.map((layer) => layer.name)))]);
    // Without a method it is split learning, on its schedule.
    expect(studyScheduleName(StudyConfigSchema.parse(base))).toBe('splitfed-v2');
    const refused = (input: object): string[] => {
      const parsed = StudyConfigSchema.safeParse(input);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(refused({ ...base, topology: 'u-shaped', method: 'lbsgd' })).toEqual([expect.stringMatching(/^method: lbsgd trains the whole model on every client/)]);
    expect(refused({ ...base, method: 'fedavg', cuts: ['pool1'] })).toEqual([expect.stringMatching(/^cuts: fedavg does not cut the model/)]);
    expect(refused({ ...base, method: 'lbsgd', localEpochs: 2 })).toEqual([expect.stringMatching(/^localEpochs: local epochs are a federated averaging setting/)]);
    expect(refused({ ...base, method: 'sgd' })[0]).toMatch(/^method:/);
  });

  it('takes a vertical study: its parties, what each holds, the label holder, with defaults', () => {
    const config = StudyConfigSchema.parse(vertical);
    expect(config).toMatchObject({ topology: 'vertical', labelHolder: 0, idColumn: 'patient_id', labelColumn: 'diagnosis', head: 'mlp-head', validationFraction: 0.2 });
    if (config.topology !== 'vertical') throw new Error('a vertical study');
    expect(config.parties[1]?.input).toEqual({ image: [28, 14, 1] });
  });

  it('refuses a label holder that is no party, one party, and unknown encoders, naming the field', () => {
    const issues = (input: unknown): string[] => {
      const parsed = StudyConfigSchema.safeParse(input);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(issues({ ...vertical, labelHolder: 2 })).toEqual(['labelHolder: labelHolder 2 names no party: there are 2 (0 to 1)']);
    expect(issues({ ...vertical, parties: vertical.parties.slice(0, 1) })[0]).toMatch(/^parties:/);
    expect(issues({ ...vertical, parties: [{ ...vertical.parties[0], model: 'gpt-9' }, vertical.parties[1]] })[0]).toMatch(/^parties\.0\.model:/);
  });

  it('says where a vertical study cannot go yet, where only horizontal ones can', () => {
    expect(() => horizontalStudy(StudyConfigSchema.parse(vertical))).toThrow(UnsupportedStudyError);
    expect(() => horizontalStudy(StudyConfigSchema.parse(vertical))).toThrow(/npm run client -- --party N/);
    const horizontal = StudyConfigSchema.parse({ name: 'x', topology: 'vanilla', model: 'mlp', inputShape: [30], classes: ['a', 'b'], schedule: 'round-robin' });
    expect(horizontalStudy(horizontal).model).toBe('mlp');
  });

  it('takes extended vanilla, multi-task and multi-hop studies, and refuses what they cannot be', () => {
    const issues = (input: unknown): string[] => {
      const parsed = StudyConfigSchema.safeParse(input);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(StudyConfigSchema.parse({ ...vertical, topology: 'extended' })).toMatchObject({ topology: 'extended', intermediate: 'mlp-intermediate' });
    const tasks = [{ name: 'texture', classes: ['smooth', 'coarse'], weight: 0.5 }];
    expect(StudyConfigSchema.parse({ ...vertical, topology: 'multi-task', tasks })).toMatchObject({ topology: 'multi-task', labelWeight: 1, tasks });
    expect(issues({ ...vertical, topology: 'multi-task', tasks: [] })[0]).toMatch(/^tasks:/);
    expect(issues({ ...vertical, topology: 'multi-task', tasks: [{ name: 'diagnosis', classes: ['a', 'b'] }] })).toEqual(["tasks: task 'diagnosis' is named twice (the first task is named after labelColumn)"]);
    expect(issues({ ...vertical, topology: 'multi-task', tasks, labelHolder: 'server' })[0]).toMatch(/^labelHolder: a multi-task study takes its tasks’ labels from a party/);
    const chain = { name: 'chain', topology: 'multi-hop', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['a', 'b'], schedule: 'round-robin' };
    expect(StudyConfigSchema.parse({ ...chain, cuts: ['pool1', 'pool2', 'dense1'] })).toMatchObject({ topology: 'multi-hop', cuts: ['pool1', 'pool2', 'dense1'] });
    expect(issues({ ...chain, cuts: ['pool1'] })[0]).toMatch(/^cuts:/);
    expect(() => horizontalStudy(StudyConfigSchema.parse(chain))).toThrow(/multi-hop study/);
  });
});
