import { headLayers, partyLayers } from '../model/vertical_catalogue';
import { planVertical, type VerticalPlan } from '../topology/vertical_plan';
import type { VerticalParty, VerticalStudyConfig } from './config';

// A vertical study's split, from its configuration alone (tfjs-free): every participant,
// the relay, the dashboard and the contribute page derive the same party encoders and head.

/** What a party's encoder takes per patient: its columns, or its image region. */
export function partyInputShape(party: VerticalParty): number[] {
  return 'columns' in party.input ? [party.input.columns.length] : [...party.input.image];
}

export function verticalStudyPlan(config: VerticalStudyConfig): VerticalPlan {
  return planVertical(
    config.parties.map((party, index) => {
      const inputShape = partyInputShape(party);
      return { layers: partyLayers(party.model ?? (inputShape.length === 1 ? 'mlp-party' : 'cnn-party'), index, inputShape), inputShape };
    }),
    headLayers(config.head, config.classes.length),
  );
}
