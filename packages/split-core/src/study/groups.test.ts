import { describe, expect, it } from 'vitest';
import { memberWirePlans } from '../topology/member_wire_plan';
import { StudyConfigSchema, type StudyConfig } from './config';
import { partyProblem, positionNames, trainingGroups, type GroupMember } from './groups';
import { studyRolePlans } from './model';
import { studyPositions } from './positions';

// Who trains with whom in the paper's remaining configurations, from the study alone: an
// extended vanilla group is its parties then the intermediate participant; a multi-hop group
// is one data holder then the hops in chain order; and what crosses each member's device,
// from the roles those groups get, never puts labels or raw inputs on an intermediate.

const parties = [
  { name: 'Pathology', input: { columns: ['a', 'b', 'c'] } },
  { name: 'Radiology', input: { columns: ['d', 'e'] } },
];
const base = { name: 's', classes: ['no', 'yes'], schedule: 'round-robin' };
const extended = StudyConfigSchema.parse({ ...base, topology: 'extended', parties, labelHolder: 1 });
const multiTask = StudyConfigSchema.parse({ ...base, topology: 'multi-task', parties, tasks: [{ name: 'grade', classes: ['1', '2', '3'], weight: 0.5 }] });
const chain = StudyConfigSchema.parse({ ...base, topology: 'multi-hop', model: 'cnn-small', inputShape: [28, 28, 1] });

const member = (id: string, party: number | undefined, rows = 10): GroupMember => ({ id, party, trainCount: rows, valCount: rows });

function crossings(config: StudyConfig, members: GroupMember[]): string[][] {
  const positions = new Map(members.map((entry) => [entry.id, entry.party ?? 0]));
  const [group] = trainingGroups(config, members, 'train');
  if (!group) throw new Error('no group');
  const plans = studyRolePlans(config, (id) => positions.get(id) ?? -1);
  return memberWirePlans(plans.wiring(group.members), plans.topology.descriptor, (index) => plans.holdsLabels(group.members[index] as string), 'train').map((plan) => plan.map((crossing) => `${crossing.direction} ${crossing.kind} ${crossing.peer}`));
}

describe('groups and positions of extended vanilla, multi-task and multi-hop studies', () => {
  it('extended vanilla: the parties, the label holder first, then the intermediate participant, once it has joined', () => {
    expect(studyPositions(extended)).toBe(3);
    expect(positionNames(extended)).toEqual(['Pathology', 'Radiology', 'Intermediate participant']);
    const members = [member('path', 0), member('mid', 2, 0), member('rad', 1)];
    expect(trainingGroups(extended, members.slice(0, 1).concat(members.slice(2)), 'train')).toEqual([]);
    expect(trainingGroups(extended, members, 'train')).toEqual([{ id: 'parties', members: ['rad', 'path', 'mid'], sampleCount: 10 }]);
    expect(crossings(extended, members)).toEqual([
      ['sends activations 2', 'sends labels server', 'receives gradients 2'],
      ['sends activations 2', 'receives gradients 2'],
      ['receives activations 0', 'receives activations 1', 'sends activations server', 'receives gradients server', 'sends gradients 0', 'sends gradients 1'],
    ]);
    expect(partyProblem(extended, 3)).toMatch(/no party 3: its parties are 0 \(Pathology\), 1 \(Radiology\), 2 \(Intermediate participant\)/);
  });

  it('multi-task: the parties feed the server, the label holder sends the tasks’ labels, and the server has one head per task', () => {
    const plans = studyRolePlans(multiTask, (id) => (id === 'a' ? 0 : 1));
    expect(plans.taskClasses).toEqual([2, 3]);
    expect(plans.server[0]?.outputShape).toEqual([5]);
    expect(plans.topology.descriptor.name).toBe('multi-task');
    expect(crossings(multiTask, [member('a', 0), member('b', 1)])).toEqual([
      ['sends activations server', 'sends labels server', 'receives gradients server'],
      ['sends activations server', 'receives gradients server'],
    ]);
  });

  it('multi-hop: each data holder with every hop in chain order, once each hop has a participant; positions named', () => {
    expect(studyPositions(chain)).toBe(3);
    expect(positionNames(chain)).toEqual(['Data holder', 'Hop 1 of 2', 'Hop 2 of 2']);
    const members = [member('h1', 0), member('hop2', 2, 0), member('h2', 0, 5)];
    expect(trainingGroups(chain, members, 'train')).toEqual([]);
    members.push(member('hop1', 1, 0));
    expect(trainingGroups(chain, members, 'train')).toEqual([
      { id: 'h1', members: ['h1', 'hop1', 'hop2'], sampleCount: 10 },
      { id: 'h2', members: ['h2', 'hop1', 'hop2'], sampleCount: 5 },
    ]);
    expect(crossings(chain, members)).toEqual([
      ['sends activations 1', 'sends labels server', 'receives gradients 1'],
      ['receives activations 0', 'sends activations 2', 'receives gradients 2', 'sends gradients 0'],
      ['receives activations 1', 'sends activations server', 'receives gradients server', 'sends gradients 1'],
    ]);
    expect(partyProblem(chain, undefined)).toMatch(/say which position in the chain you are: 0 \(Data holder\), 1 \(Hop 1 of 2\), 2 \(Hop 2 of 2\)/);
    // Every position's segment continues where the previous one ends.
    const plans = [0, 1, 2].map((position) => studyRolePlans(chain, () => position).client('')[0]);
    expect(plans[1]?.inputShape).toEqual(plans[0]?.outputShape);
    expect(plans[2]?.inputShape).toEqual(plans[1]?.outputShape);
  });
});
