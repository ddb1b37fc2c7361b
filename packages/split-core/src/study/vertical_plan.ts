import { headLayers, intermediateLayers, partyLayers } from '../model/vertical_catalogue';
import type { SegmentPlan } from '../model/cuts';
import type { TaskHead } from '../model/task_head';
import { planExtended, planVertical, type VerticalPartySpec } from '../topology/vertical_plan';
import type { PartiesStudyConfig, VerticalParty } from './config';

// The split of a study whose parties hold different data about the same patients (vertical,
// extended vanilla, multi-task), from its configuration alone (tfjs-free): every participant,
// the relay, the dashboard and the contribute page derive the same party encoders and head.

/** What a party's encoder takes per patient: its columns, or its image region. */
export function partyInputShape(party: VerticalParty): number[] {
  return 'columns' in party.input ? [party.input.columns.length] : [...party.input.image];
}

/** Each task's head: the first is the study's `classes`, then its further tasks (multi-task only). */
export function studyTaskHeads(config: PartiesStudyConfig): TaskHead[] | undefined {
  if (config.topology !== 'multi-task') return undefined;
  return [{ name: config.labelColumn, classes: config.classes.length, weight: config.labelWeight }, ...config.tasks.map((task) => ({ name: task.name, classes: task.classes.length, weight: task.weight }))];
}

export interface PartiesStudyPlan {
  parties: SegmentPlan[];
  /** Extended vanilla: the intermediate participant's segment. */
  intermediate?: SegmentPlan;
  server: SegmentPlan;
}

export function verticalStudyPlan(config: PartiesStudyConfig): PartiesStudyPlan {
  const parties = config.parties.map((party, index): VerticalPartySpec => {
    const inputShape = partyInputShape(party);
    return { layers: partyLayers(party.model ?? (inputShape.length === 1 ? 'mlp-party' : 'cnn-party'), index, inputShape), inputShape };
  });
  // A multi-task head's last layer holds every task's logits side by side.
  const outputs = (studyTaskHeads(config) ?? [{ classes: config.classes.length }]).reduce((sum, head) => sum + head.classes, 0);
  const head = headLayers(config.head, outputs);
  if (config.topology === 'extended') return planExtended(parties, intermediateLayers(config.intermediate), head);
  return planVertical(parties, head);
}
