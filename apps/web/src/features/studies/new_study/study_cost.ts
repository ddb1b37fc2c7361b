import { countSegmentParams, encodedSize, getHorizontalDescriptor, getModelSpec, nameByteLength, planSegments, trainingFlopsPerSample, type StudyConfig } from '@splitlearn/split-core/pure';
import type { Egress } from '../../../worker/messages';
import { clientWeightLayout, egressInputFor } from '../../../lib/egress/egress_input';
import { declaredStepBytes, describeEgress } from '../../../lib/egress/what_leaves';

// What a study will cost each participant, before it exists: from the configuration alone,
// with the accounting the rest of the system uses (split-core's FLOPs and frame sizes, the
// contribute page's "what leaves this device"), so the console's figures are the ones the
// relay's wire log and the dashboard's FLOPs chart will show.

export interface StudyCost {
  /** Bytes a client sends in one training step of a full batch. */
  upPerStep: number;
  /** Bytes a client receives in one training step of a full batch. */
  downPerStep: number;
  /** With a step limit per round: a client's uploads in a round's training steps (its weights hand-off aside). */
  upPerRound?: number;
  downPerRound?: number;
  /** One client-segment weight bundle, sent when the schedule hands off or averages. */
  weightsBundle: number;
  clientFlopsPerSample: number;
  serverFlopsPerSample: number;
  clientParams: number;
  /** What leaves each participant's device, as the contribute page states it. */
  egress: Egress;
}

type HorizontalConfig = Extract<StudyConfig, { topology: 'vanilla' | 'u-shaped' }>;

export function studyCost(config: HorizontalConfig): StudyCost {
  const spec = getModelSpec(config.model, { numClasses: config.classes.length, inputShape: config.inputShape });
  const descriptor = getHorizontalDescriptor(config.topology);
  const roles = descriptor.assign(planSegments(spec, config.cuts ?? descriptor.defaultCuts(spec)));
  const input = egressInputFor({ config }, { client: roles.client, server: roles.server, holdsLabels: true }, clientWeightLayout(roles.client));
  const up = declaredStepBytes(input, 'train', config.batchSize);
  const upPerStep = up.activations + up.labels + up.gradients;
  // What comes back each step: the descriptor's down crossings at their cuts (U-shaped: the server's output, then its gradients come back up).
  const segments = [...roles.client, ...roles.server].sort((a, b) => a.index - b.index);
  const downPerStep = descriptor.wirePlan.train
    .filter((crossing) => crossing.direction === 'down')
    .reduce((sum, crossing) => sum + encodedSize([config.batchSize, ...(segments[crossing.cut ?? 0]?.outputShape ?? [])], 'float32', config.codec, nameByteLength(crossing.kind)), 0);
  const egress = describeEgress(input);
  const steps = config.maxStepsPerRound;
  return {
    upPerStep,
    downPerStep,
    ...(steps !== undefined ? { upPerRound: steps * upPerStep, downPerRound: steps * downPerStep } : {}),
    weightsBundle: egress.weights.reduce((sum, bundle) => sum + bundle.bytes, 0),
    clientFlopsPerSample: trainingFlopsPerSample(roles.client),
    serverFlopsPerSample: trainingFlopsPerSample(roles.server),
    clientParams: roles.client.reduce((sum, plan) => sum + countSegmentParams(plan.layers, plan.inputShape), 0),
    egress,
  };
}
