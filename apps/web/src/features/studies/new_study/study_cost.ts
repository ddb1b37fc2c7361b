import { countSegmentParams, encodedSize, getTopologyDescriptor, isIntermediate, nameByteLength, positionNames, studyFlopsPerSample, studyMethod, studyRoleLayout, trainingFlopsPerSample, type SegmentPlan } from '@splitlearn/split-core/pure';
import type { FormConfig } from './study_draft';
import type { Egress } from '../../../worker/messages';
import { clientWeightLayout, egressInputFor } from '../../../lib/egress/egress_input';
import { declaredStepBytes, describeEgress } from '../../../lib/egress/what_leaves';

// What a study will cost each participant, before it exists: from the configuration alone,
// with the accounting the rest of the system uses (split-core's role layout, FLOPs and frame
// sizes, the contribute page's "what leaves this device"), so the console's figures are the
// ones the relay's wire log and the dashboard's FLOPs chart will show. A study whose
// participants hold different parts of the model (a multi-hop chain, the parties of a vertical
// study and an intermediate participant) has one cost per position.

/** What one participant (every client of a horizontal study, or one position of a chain) sends, receives and computes. */
export interface PositionCost {
  /** The position's name ("Data holder", "Hop 1 of 2"); undefined where every client is alike. */
  name?: string;
  /** Bytes it sends in one training step of a full batch. */
  upPerStep: number;
  /** Bytes it receives in one training step of a full batch. */
  downPerStep: number;
  /** With a step limit per round: its uploads in a round's training steps (its weights hand-off aside). */
  upPerRound?: number;
  downPerRound?: number;
  /** One client-segment weight bundle, sent when the schedule hands off or averages. */
  weightsBundle: number;
  clientFlopsPerSample: number;
  clientParams: number;
  /** What leaves its device, as the contribute page states it. */
  egress: Egress;
}

export interface StudyCost {
  positions: PositionCost[];
  /** Every client segment one sample passes through (all positions), and the relay's. */
  clientFlopsPerSample: number;
  serverFlopsPerSample: number;
}

/** Bytes of a float32 frame of `kind` for a full batch of `shape`-shaped samples. */
function frame(config: FormConfig, kind: 'activations' | 'gradients', shape: readonly number[]): number {
  return encodedSize([config.batchSize, ...shape], 'float32', config.codec, nameByteLength(kind));
}

/**
 * What comes back to a position in a training step. A split client: the topology's down
 * crossings at their cuts (vanilla: the gradient at its cut; U-shaped: the server's output,
 * then nothing more). A hop: the activations it passes on arrive from the position before, the
 * gradients at its output from the one after. A large-batch SGD client: the averaged gradients,
 * one bundle as large as its own; federated averaging: nothing until the round's average.
 */
function downPerStep(config: FormConfig, position: number | undefined, client: readonly SegmentPlan[], server: readonly SegmentPlan[], up: number): number {
  const method = studyMethod(config);
  if (!method.serverSegment) return method.syncsGradients ? up : 0;
  const [hop] = client;
  if (isIntermediate(config, position) && hop) return frame(config, 'activations', hop.inputShape) + frame(config, 'gradients', hop.outputShape);
  const segments = [...client, ...server].sort((a, b) => a.index - b.index);
  return getTopologyDescriptor(config.topology)
    .wirePlan.train.filter((crossing) => crossing.direction === 'down')
    .reduce((sum, crossing) => sum + frame(config, crossing.kind === 'gradients' ? 'gradients' : 'activations', segments[crossing.cut ?? 0]?.outputShape ?? []), 0);
}

export function studyCost(config: FormConfig): StudyCost {
  const names = positionNames(config);
  const positions = (names ?? [undefined]).map((name, index): PositionCost => {
    const position = names ? index : undefined;
    const layout = studyRoleLayout(config, () => index);
    const client = layout.client('');
    // As the training worker states it at this position (training_worker.ts, egressAs); a party's alignment rows are known only once its table is read.
    const party = 'parties' in config && !isIntermediate(config, index) ? { party: index } : undefined;
    const input = egressInputFor({ config }, { client, server: layout.server, holdsLabels: layout.holdsLabels('') }, clientWeightLayout(client), party, position);
    const up = declaredStepBytes(input, 'train', config.batchSize);
    const upPerStep = up.activations + up.labels + up.gradients;
    const down = downPerStep(config, position, client, layout.server, upPerStep);
    const egress = describeEgress(input);
    const steps = config.maxStepsPerRound;
    return {
      ...(name !== undefined ? { name } : {}),
      upPerStep,
      downPerStep: down,
      ...(steps !== undefined ? { upPerRound: steps * upPerStep, downPerRound: steps * down } : {}),
      weightsBundle: egress.weights.reduce((sum, bundle) => sum + bundle.bytes, 0),
      clientFlopsPerSample: trainingFlopsPerSample(client),
      clientParams: client.reduce((sum, plan) => sum + countSegmentParams(plan.layers, plan.inputShape), 0),
      egress,
    };
  });
  const flops = studyFlopsPerSample(config);
  return { positions, clientFlopsPerSample: flops.client, serverFlopsPerSample: flops.server };
}
