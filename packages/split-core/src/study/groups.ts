import { singleClientGroup, type TrainingGroup } from '../schedule/federation';
import { labelParty, type StudyConfig } from './config';

/** A participant as grouping sees it. */
export interface GroupMember {
  id: string;
  /** The party it is, in a vertical study. */
  party?: number | undefined;
  trainCount: number;
  valCount: number;
}

/** The one group of a vertical study: its parties share the batch order under this key. */
export const VERTICAL_GROUP = 'parties';

/**
 * Who trains together: each participant alone in a horizontal study; in a vertical one the
 * study's parties as one group, the label holder first (the server reads the labels from
 * the first link), once every party has a participant. Members without rows for the phase
 * take no part.
 */
export function trainingGroups(config: StudyConfig, members: readonly GroupMember[], phase: 'train' | 'eval'): TrainingGroup[] {
  const count = (member: GroupMember): number => (phase === 'train' ? member.trainCount : member.valCount);
  if (config.topology !== 'vertical') return members.filter((member) => count(member) > 0).map((member) => singleClientGroup(member.id, member.trainCount));
  const byParty = new Map<number, GroupMember>();
  for (const member of members) if (member.party !== undefined && !byParty.has(member.party)) byParty.set(member.party, member);
  const holder = labelParty(config);
  const order = [...(holder !== undefined ? [holder] : []), ...config.parties.map((_, index) => index).filter((index) => index !== holder)];
  const parties = order.map((index) => byParty.get(index));
  if (parties.some((member) => member === undefined || count(member) === 0)) return [];
  const present = parties as GroupMember[];
  return [{ id: VERTICAL_GROUP, members: present.map((member) => member.id), sampleCount: Math.min(...present.map((member) => member.trainCount)) }];
}

/** Why a participant cannot join a study as `party` (undefined when it can). */
export function partyProblem(config: StudyConfig, party: number | undefined): string | undefined {
  if (config.topology !== 'vertical') return party === undefined ? undefined : 'this study has no parties: join without choosing one';
  const names = config.parties.map((entry, index) => `${index} (${entry.name})`).join(', ');
  if (party === undefined) return `this is a vertical study: say which party you are: ${names}`;
  if (party >= config.parties.length) return `this study has no party ${party}: its parties are ${names}`;
  return undefined;
}
