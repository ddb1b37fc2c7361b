import { getModelSpec } from '../model/catalogue';
import { planSegments, type SegmentPlan } from '../model/cuts';
import type { ModelSpec } from '../model/spec';
import { partiesStudy, UnsupportedStudyError, type MultiHopStudyConfig, type StudyConfig } from './config';

// The client positions of a study (tfjs-free): a horizontal study has one, a study with
// parties one per party (and the intermediate participant in extended vanilla), a multi-hop
// chain one per participant before the server.

/** The catalogue model of a study that splits one (horizontal, multi-hop). */
export function studyModelSpec(config: StudyConfig): ModelSpec {
  if ('parties' in config) throw new UnsupportedStudyError(`a ${config.topology} study has no catalogue model: each party runs its own encoder`);
  return getModelSpec(config.model, { numClasses: config.classes.length, inputShape: config.inputShape });
}

/** A multi-hop study's segments, in chain order: the data holder's, each hop's, the server's. */
export function chainSegments(config: MultiHopStudyConfig): SegmentPlan[] {
  const spec = studyModelSpec(config);
  const cuts = config.cuts ?? spec.defaultCuts.multiHop;
  if (!cuts) throw new UnsupportedStudyError(`model ${spec.name} has no default multi-hop cuts: name one cut per participant before the server`);
  return planSegments(spec, cuts);
}

/**
 * How many distinct client roles a study has, each with the position `partyOf` takes: one
 * (horizontal), one per party (and the intermediate participant), one per chain position.
 */
export function studyPositions(config: StudyConfig): number {
  const parties = partiesStudy(config);
  if (parties) return parties.parties.length + (parties.topology === 'extended' ? 1 : 0);
  if (config.topology === 'multi-hop') return chainSegments(config).length - 1;
  return 1;
}


/** Whether a participant at `position` holds no rows and passes others' cut outputs on (extended vanilla's intermediate participant, a multi-hop hop). */
export function isIntermediate(config: StudyConfig, position: number | undefined): boolean {
  if (position === undefined) return false;
  const parties = partiesStudy(config);
  if (parties) return parties.topology === 'extended' && position === parties.parties.length;
  return config.topology === 'multi-hop' && position > 0 && position < studyPositions(config);
}
