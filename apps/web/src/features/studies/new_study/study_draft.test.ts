import { describe, expect, it } from 'vitest';
import { buildStudy, cutChoices, defaultDraft, defaultParty, draftFromConfig, draftModel, fieldOfPath, withChainLength, withTopology, type PartyDraft, type StudyDraft } from './study_draft';

const named = (changes: Partial<StudyDraft> = {}): StudyDraft => ({ ...defaultDraft(), name: 'x-rays', ...changes });

describe('the new-study draft', () => {
  it('makes the study split-core parses, with the model’s default cuts when none is chosen', () => {
    const built = buildStudy(named({ topology: 'u-shaped', cuts: ['', ''], schedule: 'splitfed-v2', maxStepsPerRound: '5' }));
    expect('config' in built && built.config).toMatchObject({ name: 'x-rays', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'pneumonia'], topology: 'u-shaped', schedule: 'splitfed-v2', maxStepsPerRound: 5, batchSize: 32 });
    expect('config' in built && 'cuts' in built.config ? built.config.cuts : undefined).toBeUndefined();
  });

  it('puts each refusal on its field: the schema’s, and the cut planning’s', () => {
    expect(buildStudy(named({ name: ' ' }))).toEqual({ errors: { name: expect.any(String) as string } });
    const numbers = buildStudy(named({ learningRate: 'fast', batchSize: '0' }));
    expect('errors' in numbers && Object.keys(numbers.errors).sort()).toEqual(['batchSize', 'learningRate']);
    const spec = draftModel(named());
    const [first = '', second = ''] = spec ? cutChoices(spec) : [];
    // Cuts out of order: the planner's refusal, at the cuts.
    const cuts = buildStudy(named({ topology: 'u-shaped', cuts: [second, first] }));
    expect('errors' in cuts && cuts.errors.cuts).toMatch(/increasing order/);
    expect('errors' in buildStudy(named({ cuts: ['nowhere'] })) && (buildStudy(named({ cuts: ['nowhere'] })) as { errors: { cuts?: string } }).errors.cuts).toMatch(/no layer named 'nowhere'/);
  });

  it('offers every layer but the last as a cut, and maps the relay’s paths to fields', () => {
    const spec = draftModel(named());
    expect(spec && cutChoices(spec)).toEqual(spec?.layers.slice(0, -1).map((layer) => layer.name));
    expect(fieldOfPath(['cuts', 1])).toBe('cuts');
    expect(fieldOfPath(['learningRate'])).toBe('learningRate');
    expect(fieldOfPath(['parties', 1, 'input'])).toBe('parties');
    expect(fieldOfPath(['handoffKeyCheck'])).toBe('studyKeyCheck');
    expect(fieldOfPath(['tags'])).toBeUndefined();
  });

  it('duplicates a study as a template: its draft builds the same configuration', () => {
    const built = buildStudy(named({ topology: 'u-shaped', cuts: ['pool1', 'dense1'], schedule: 'splitfed-v2', codec: 'fp16', seed: '7' }));
    if (!('config' in built)) throw new Error(JSON.stringify(built.errors));
    const copy = draftFromConfig(built.config, 'x-rays (copy)');
    const again = buildStudy(copy);
    expect('config' in again ? again.config : again).toEqual({ ...built.config, name: 'x-rays (copy)' });
  });

  it('carries the training recipe and the privacy settings, each refusal at its own input', () => {
    const built = buildStudy(named({ augmentation: 'off', learningRateSchedule: 'cosine', weightDecay: '0.01', labelSmoothing: '0.1', bestRoundMetric: 'accuracy', targetSensitivity: '0.9', noPeek: '0.5', activationClip: '4', activationSigma: '0.1', gradientNoise: 'gaussian', gradientNoiseScale: '2' }));
    if (!('config' in built)) throw new Error(JSON.stringify(built.errors));
    expect(built.config).toMatchObject({ augmentation: false, learningRateSchedule: 'cosine', weightDecay: 0.01, labelSmoothing: 0.1, bestRoundMetric: 'accuracy', targetSensitivity: 0.9, noPeek: 0.5, activationNoise: { clip: 4, sigma: 0.1 }, gradientNoise: { kind: 'gaussian', scale: 2 } });
    // Left empty: absent, so the relay's defaults apply (the measured augmentation among them).
    const plain = buildStudy(named());
    expect('config' in plain && ['augmentation', 'learningRateSchedule', 'weightDecay', 'noPeek', 'activationNoise', 'gradientNoise'].filter((key) => key in plain.config)).toEqual([]);
    expect(buildStudy(named({ labelSmoothing: '0.9' }))).toEqual({ errors: { labelSmoothing: expect.any(String) as string } });
    // A noise level without a clipping norm: the schema names activationNoise.clip, shown at the clipping input.
    expect(Object.keys((buildStudy(named({ activationSigma: '0.1' })) as { errors: object }).errors)).toEqual(['activationClip']);
    expect(fieldOfPath(['gradientNoise', 'scale'])).toBe('gradientNoiseScale');
    // And a duplicate keeps them.
    const copy = draftFromConfig(built.config, 'copy');
    const again = buildStudy(copy);
    expect('config' in again ? again.config : again).toEqual({ ...built.config, name: 'copy' });
  });

  it('makes a multi-hop chain: the model’s default chain, round-robin, one cut per participant, refusals at the cuts', () => {
    const chain = withTopology(named({ schedule: 'splitfed-v2' }), 'multi-hop');
    // cnn-small's default chain has three participants before the relay; its schedule can only be round-robin.
    expect(chain.cuts).toEqual(['', '', '']);
    expect(chain.schedule).toBe('round-robin');
    const built = buildStudy(chain);
    expect('config' in built && built.config).toMatchObject({ topology: 'multi-hop', schedule: 'round-robin' });
    const two = withChainLength(chain, 2);
    expect(two.cuts).toEqual(['', '']);
    expect(withChainLength(chain, 40).cuts).toHaveLength(8);
    const chosen = buildStudy({ ...two, cuts: ['pool1', 'dense1'] });
    expect('config' in chosen && 'cuts' in chosen.config ? chosen.config.cuts : undefined).toEqual(['pool1', 'dense1']);
    // The same planning the relay runs: out of order, refused at the cuts.
    expect((buildStudy({ ...two, cuts: ['dense1', 'pool1'] }) as { errors: { cuts?: string } }).errors.cuts).toMatch(/increasing order/);
    expect((buildStudy({ ...chain, schedule: 'splitfed-v2' }) as { errors: { schedule?: string } }).errors.schedule).toMatch(/multi-hop study runs round-robin/);
    // Duplicated, it builds the same study.
    if (!('config' in chosen)) throw new Error('no config');
    const copy = draftFromConfig(chosen.config, 'chain (copy)');
    const again = buildStudy(copy);
    expect('config' in again ? again.config : again).toEqual({ ...chosen.config, name: 'chain (copy)' });
  });

  it('makes the baselines on vanilla: no cuts, local epochs for federated averaging only', () => {
    const fedavg = buildStudy(named({ method: 'fedavg', localEpochs: '2', cuts: ['pool1'] }));
    expect('config' in fedavg && fedavg.config).toMatchObject({ topology: 'vanilla', method: 'fedavg', localEpochs: 2 });
    expect('config' in fedavg && 'cuts' in fedavg.config).toBe(false);
    expect((buildStudy(named({ method: 'lbsgd', localEpochs: '2' })) as { errors: { localEpochs?: string } }).errors.localEpochs).toMatch(/federated averaging setting/);
    // Another topology takes split learning back.
    expect(withTopology(named({ method: 'fedavg', localEpochs: '2' }), 'u-shaped')).toMatchObject({ method: 'splitnn', localEpochs: '' });
    if (!('config' in fedavg)) throw new Error('no config');
    const copy = draftFromConfig(fedavg.config, 'fedavg (copy)');
    const again = buildStudy(copy);
    expect('config' in again ? again.config : again).toEqual({ ...fedavg.config, name: 'fedavg (copy)' });
  });

  it('makes studies with parties: each party’s input and encoder, the label holder, the tasks; refusals name the party', () => {
    const vertical = withTopology(named(), 'vertical');
    expect(vertical.cuts).toEqual([]);
    const filled: StudyDraft = { ...vertical, parties: [{ ...defaultParty(0), name: 'Labs', columns: 'age, size' }, { ...defaultParty(1), name: 'Radiology', input: 'image', image: '28, 28, 1' }], labelHolder: 'server' };
    const built = buildStudy(filled);
    expect('config' in built && built.config).toMatchObject({ topology: 'vertical', parties: [{ name: 'Labs', input: { columns: ['age', 'size'] } }, { name: 'Radiology', input: { image: [28, 28, 1] } }], labelHolder: 'server', idColumn: 'patient_id' });
    expect('config' in built && ['model', 'inputShape', 'cuts', 'augmentation'].filter((key) => key in built.config)).toEqual([]);
    // A party without columns: refused at the parties, naming which.
    expect((buildStudy({ ...filled, parties: [filled.parties[0] as PartyDraft, { ...defaultParty(1), columns: '' }] }) as { errors: { parties?: string } }).errors.parties).toMatch(/^Party 2: /);
    // Multi-task: a party holds the labels, and the further tasks come along.
    const multiTask = withTopology(filled, 'multi-task');
    expect(multiTask.labelHolder).toBe('0');
    const tasks = buildStudy({ ...multiTask, tasks: [{ name: 'grade', column: '', classes: '1, 2, 3', weight: '0.5' }] });
    expect('config' in tasks && tasks.config).toMatchObject({ topology: 'multi-task', tasks: [{ name: 'grade', classes: ['1', '2', '3'], weight: 0.5 }] });
    expect((buildStudy({ ...multiTask, tasks: [{ name: 'label', column: '', classes: '1, 2', weight: '1' }] }) as { errors: { tasks?: string } }).errors.tasks).toMatch(/named twice/);
    // Extended: the intermediate participant's layers; duplicated, the same study.
    const extended = buildStudy(withTopology(filled, 'extended'));
    if (!('config' in extended)) throw new Error(JSON.stringify(extended.errors));
    expect(extended.config).toMatchObject({ topology: 'extended', intermediate: 'mlp-intermediate' });
    for (const config of [extended.config, 'config' in tasks ? tasks.config : undefined]) {
      if (!config) throw new Error('no config');
      const copy = draftFromConfig(config, 'copy');
      const again = buildStudy(copy);
      expect('config' in again ? again.config : again).toEqual({ ...config, name: 'copy' });
    }
  });

  it('takes custom augmentation bounds, class weights and a sealed hand-off’s key check; a duplicate keeps the bounds and weights, never the key', () => {
    const built = buildStudy(named({ augmentation: 'custom', augmentShift: '0.05', augmentRotation: '5', augmentZoom: '0', augmentBrightness: '0.2', augmentContrast: '0.3', augmentFlip: true, classWeights: '2, 1', studyKey: 'k'.repeat(43), studyKeyCheck: 'c'.repeat(22) }));
    if (!('config' in built)) throw new Error(JSON.stringify(built.errors));
    expect(built.config).toMatchObject({ augmentation: { shift: 0.05, rotation: 5, zoom: 0, brightness: 0.2, contrast: 0.3, flip: true }, classWeights: [2, 1], handoffKeyCheck: 'c'.repeat(22) });
    // The key itself is never in the study.
    expect(JSON.stringify(built.config)).not.toContain('k'.repeat(43));
    const copy = draftFromConfig(built.config, 'copy');
    expect(copy).toMatchObject({ augmentation: 'custom', augmentRotation: '5', augmentFlip: true, classWeights: '2, 1', studyKey: '', studyKeyCheck: '' });
    // The default bounds, stored by the relay, come back as the default.
    const stored = buildStudy(named({ augmentation: 'custom' }));
    expect('config' in stored && draftFromConfig(stored.config, 'copy').augmentation).toBe('default');
    // Refusals at their inputs: a bound out of range, one weight for two classes, a sealed hand-off that averages.
    expect(Object.keys((buildStudy(named({ augmentation: 'custom', augmentRotation: '90' })) as { errors: object }).errors)).toEqual(['augmentRotation']);
    expect((buildStudy(named({ classWeights: '2' })) as { errors: { classWeights?: string } }).errors.classWeights).toMatch(/one class weight per class/);
    expect(Object.keys((buildStudy(named({ schedule: 'splitfed-v2', studyKeyCheck: 'c'.repeat(22) })) as { errors: object }).errors)).toEqual(['studyKeyCheck']);
  });

  it('takes an invitation’s end in local time and a participant limit, each refusal at its input', () => {
    const built = buildStudy(named({ inviteExpiresAt: '2031-03-04T05:06', maxParticipants: '12' }));
    if (!('config' in built)) throw new Error(JSON.stringify(built.errors));
    expect(built.config.inviteExpiresAt).toBe(new Date(2031, 2, 4, 5, 6).getTime());
    expect(built.config.maxParticipants).toBe(12);
    expect(draftFromConfig(built.config, 'copy')).toMatchObject({ inviteExpiresAt: '2031-03-04T05:06', maxParticipants: '12' });
    expect(Object.keys((buildStudy(named({ minClients: '3', maxParticipants: '2' })) as { errors: object }).errors)).toEqual(['maxParticipants']);
    expect(Object.keys((buildStudy(named({ inviteExpiresAt: 'next week' })) as { errors: object }).errors)).toEqual(['inviteExpiresAt']);
  });
});
