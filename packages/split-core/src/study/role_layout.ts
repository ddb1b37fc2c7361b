import { trainingFlopsPerSample } from '../accounting/flops';
import { encodedSize } from '../codec/encoded_size';
import { planSegments } from '../model/cuts';
import { ModelSpecError } from '../model/errors';
import { countSegmentParams } from '../model/shapes';
import { getHorizontalDescriptor } from '../topology/descriptors';
import { chainLayout, horizontalLayout, partyLayout, wholeModelLayout, type RoleLayout } from '../topology/role_layout';
import { assignSplit } from '../topology/split_plan';
import { WiringError } from '../topology/wiring';
import { horizontalStudy, labelParty, partiesStudy, type PartiesStudyConfig, type StudyConfig } from './config';
import { studyMethod } from './method';
import { chainSegments, studyModelSpec, studyPositions } from './positions';
import { studyTaskHeads, verticalStudyPlan } from './vertical_plan';

// Which segments each participant of a study holds, from its configuration alone and without
// tfjs: the relay, every participant (through studyRolePlans, which adds the topology that
// runs the steps) and the researcher's console, before the study exists, read it from here.

/**
 * The roles of any study: the horizontal split's segments; a multi-hop chain's, each
 * participant at its position; or for a study with parties each party's encoder over what it
 * holds (its columns, or its image region), the intermediate participant's layers (extended
 * vanilla) and the server's head (one per task in multi-task). `partyOf` says which party or
 * position a client takes (not horizontal).
 */
export function studyRoleLayout(config: StudyConfig, partyOf: (clientId: string) => number = () => 0): RoleLayout {
  const parties = partiesStudy(config);
  if (parties) return partiesLayout(parties, partyOf);
  if (!studyMethod(config).serverSegment) {
    const [whole] = planSegments(studyModelSpec(config), []);
    if (!whole) throw new Error("the study's model has no layers");
    return wholeModelLayout(whole, config.classes.length);
  }
  if (config.topology === 'multi-hop') return chainLayout(chainSegments(config), config.classes.length, partyOf);
  const horizontal = horizontalStudy(config);
  return horizontalLayout(assignSplit(studyModelSpec(horizontal), getHorizontalDescriptor(horizontal.topology), horizontal.cuts), config.classes.length);
}

function partiesLayout(config: PartiesStudyConfig, partyOf: (clientId: string) => number): RoleLayout {
  const plan = verticalStudyPlan(config);
  const heads = studyTaskHeads(config);
  return partyLayout({
    parties: plan.parties,
    ...(plan.intermediate ? { intermediate: plan.intermediate } : {}),
    server: plan.server,
    numClasses: config.classes.length,
    ...(heads ? { taskClasses: heads.map((head) => head.classes) } : {}),
    labelHolder: labelParty(config),
    partyOf,
  });
}

/** Each position's layout: index p is the client at position p (horizontal studies have one). */
export function positionLayouts(config: StudyConfig): RoleLayout[] {
  return Array.from({ length: studyPositions(config) }, (_, position) => studyRoleLayout(config, () => position));
}

/** Analytic training FLOPs (forward + backward) per sample on each side: every client segment of one sample (all parties, intermediates and hops), and the server's. */
export function studyFlopsPerSample(config: StudyConfig): { client: number; server: number } {
  const client = positionLayouts(config).reduce((sum, layout) => sum + trainingFlopsPerSample(layout.client('')), 0);
  return { client, server: trainingFlopsPerSample(studyRoleLayout(config).server) };
}

/**
 * The largest single message a study sends, in bytes: a cut tensor of a full batch (fp32,
 * the worst case) or a client segment's weight bundle. The relay sets its message size
 * limit from it; socket.io's default 1 MB is too small for many cut tensors.
 */
export function largestMessageBytes(config: StudyConfig): number {
  const clientPlans = positionLayouts(config).flatMap((layout) => layout.client(''));
  const cutBytes = [...clientPlans, ...studyRoleLayout(config).server].map((plan) => encodedSize([config.batchSize, ...plan.outputShape], 'float32', 'fp32', 32));
  const weightBytes = clientPlans.map((plan) => {
    const params = countSegmentParams(plan.layers, plan.inputShape);
    // Bundle framing: a header per variable (names, shapes) on top of 4 bytes per parameter.
    return params * 4 + plan.layers.length * 2 * 512 + 64;
  });
  return Math.max(...cutBytes, ...weightBytes);
}

/**
 * The configuration field a refusal of studyRoleLayout concerns (`[]` for the study as a
 * whole): the relay answers a refused study with it, and the console shows the message there.
 */
export function planningErrorPath(error: unknown): (string | number)[] {
  if (error instanceof WiringError) return ['cuts'];
  if (!(error instanceof ModelSpecError)) return [];
  if (error.code === 'invalid-cut') return ['cuts'];
  if (error.code === 'unknown-model') return ['model'];
  if (error.code === 'incompatible-parties') return ['parties'];
  return [];
}
