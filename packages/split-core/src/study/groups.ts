import { singleClientGroup, type TrainingGroup } from '../schedule/federation';
import { labelParty, partiesStudy, type StudyConfig } from './config';
import { studyPositions } from './positions';

/** A participant as grouping sees it. */
export interface GroupMember {
  id: string;
  /** The party (or intermediate participant, or chain position) it is, where the study has several roles. */
  party?: number | undefined;
  trainCount: number;
  valCount: number;
}

/** The one group of a study with parties: they share the batch order under this key. */
export const VERTICAL_GROUP = 'parties';

/**
 * Who trains together: each participant alone in a horizontal study. In a study with parties,
 * the parties as one group, the label holder first (the server reads the labels from the
 * first link), then the intermediate participant (extended vanilla), once every party has a
 * participant. In multi-hop, each data holder with the hops, in chain order, once every hop
 * has a participant. Members without rows for the phase take no part (a hop holds none).
 */
export function trainingGroups(config: StudyConfig, members: readonly GroupMember[], phase: 'train' | 'eval'): TrainingGroup[] {
  const count = (member: GroupMember): number => (phase === 'train' ? member.trainCount : member.valCount);
  const byParty = new Map<number, GroupMember>();
  for (const member of members) if (member.party !== undefined && !byParty.has(member.party)) byParty.set(member.party, member);
  const parties = partiesStudy(config);
  if (parties) {
    const holder = labelParty(parties);
    const order = [...(holder !== undefined ? [holder] : []), ...parties.parties.map((_, index) => index).filter((index) => index !== holder)];
    const present = order.map((index) => byParty.get(index));
    if (present.some((member) => member === undefined || count(member) === 0)) return [];
    const withData = present as GroupMember[];
    const intermediate = parties.topology === 'extended' ? byParty.get(parties.parties.length) : undefined;
    if (parties.topology === 'extended' && !intermediate) return [];
    return [{ id: VERTICAL_GROUP, members: [...withData.map((member) => member.id), ...(intermediate ? [intermediate.id] : [])], sampleCount: Math.min(...withData.map((member) => member.trainCount)) }];
  }
  if (config.topology === 'multi-hop') {
    const hops = Array.from({ length: studyPositions(config) - 1 }, (_, k) => byParty.get(k + 1));
    if (hops.some((hop) => hop === undefined)) return [];
    const chain = (hops as GroupMember[]).map((hop) => hop.id);
    return members.filter((member) => member.party === 0 && count(member) > 0).map((holder) => ({ id: holder.id, members: [holder.id, ...chain], sampleCount: holder.trainCount }));
  }
  return members.filter((member) => count(member) > 0).map((member) => singleClientGroup(member.id, member.trainCount));
}

/** What each position of a study is called, for participants choosing one (undefined: a horizontal study has one). */
export function positionNames(config: StudyConfig): string[] | undefined {
  const parties = partiesStudy(config);
  if (parties) return [...parties.parties.map((party) => party.name), ...(parties.topology === 'extended' ? ['Intermediate participant'] : [])];
  if (config.topology === 'multi-hop') {
    const positions = studyPositions(config);
    return Array.from({ length: positions }, (_, k) => (k === 0 ? 'Data holder' : `Hop ${k} of ${positions - 1}`));
  }
  return undefined;
}

/** Why a participant cannot join a study as `party` (undefined when it can). */
export function partyProblem(config: StudyConfig, party: number | undefined): string | undefined {
  const names = positionNames(config);
  if (!names) return party === undefined ? undefined : 'this study has no parties: join without choosing one';
  const listed = names.map((name, index) => `${index} (${name})`).join(', ');
  const what = config.topology === 'multi-hop' ? 'position in the chain' : 'party';
  if (party === undefined) return `this is a ${config.topology} study: say which ${what} you are: ${listed}`;
  if (party >= names.length) return `this study has no ${what} ${party}: its ${what === 'party' ? 'parties' : 'positions'} are ${listed}`;
  return undefined;
}

/** Whether many participants may take `position` at once: a multi-hop study's data holders (position 0) share the hops. */
export function sharedPosition(config: StudyConfig, position: number): boolean {
  return config.topology === 'multi-hop' && position === 0;
}
