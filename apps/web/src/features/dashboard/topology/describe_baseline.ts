import { getModelSpec, planSegments, studyMethod, type protocol } from '@splitlearn/split-core/pure';
import { segmentView } from './segment_view';
import type { Crossing, ParticipantView, TopologyDescription } from './topology_description';

// A baseline study (federated averaging, large-batch SGD): every hospital trains the whole
// model and the relay only averages, so the view has one column holding every layer and a
// relay with none; what crosses is the model's weights once a round or its gradients every
// step, in split-core's words for the method.

export function describeBaseline(config: protocol.HorizontalStudyConfig): TopologyDescription {
  const method = studyMethod(config);
  const spec = getModelSpec(config.model, { numClasses: config.classes.length, inputShape: config.inputShape });
  const [whole] = planSegments(spec, []);
  if (!whole) throw new Error(`model ${config.model} has no layers`);
  const segment = segmentView(whole, 'client-bottom', 'Whole model, loss', true);
  // Weights and gradients travel as fp32 bundles; the estimate counts values (headers are a few bytes per tensor).
  const modelBytes = segment.params * 4;
  const perStep: Crossing[] = method.syncsGradients
    ? [
        { direction: 'up', what: 'Gradients of the whole model on the batch', bytes: modelBytes, encoding: 'fp32' },
        { direction: 'down', what: 'The average of every hospital’s gradients, applied here', bytes: modelBytes, encoding: 'fp32' },
      ]
    : [];
  const perRound: Crossing[] = method.syncsGradients
    ? [{ direction: 'up', what: 'The model (one hospital a round, for validation and checkpoints)', bytes: modelBytes, encoding: 'fp32' }]
    : [
        { direction: 'up', what: `The whole model after ${'localEpochs' in config ? (config.localEpochs ?? 1) : 1} local epoch(s)`, bytes: modelBytes, encoding: 'fp32' },
        { direction: 'down', what: 'The sample-weighted average of every hospital’s model', bytes: modelBytes, encoding: 'fp32' },
      ];
  const neverLeaves = ['Images (decoded and used only on the hospital’s device)', 'File and folder names', ...method.neverLeaves];
  const hospital: ParticipantView = { title: 'Each hospital (browser or Node client)', holdsLabels: true, holds: ['Images', 'Labels', 'The whole model'], segments: [segment], perStep, perRound, neverLeaves };
  return {
    topology: config.topology,
    method: { title: method.title, feed: method.syncsGradients ? 'gradients every step' : 'weights once a round' },
    model: config.model,
    schedule: method.name,
    codec: config.codec,
    participants: [hospital],
    relay: { holds: ['Nothing but the running average'], segments: [] },
    schedulePlain: method.summary,
    neverLeaves,
    clientFlopsShare: 1,
  };
}
