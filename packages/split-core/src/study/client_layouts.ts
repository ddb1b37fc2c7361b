import { weightLayout, type WeightSpec } from '../model/weights';
import { createRole, disposeRole } from '../segment/roles';
import type { StudyConfig } from './config';
import { studyRoleOptions, studyRolePlans } from './model';
import { studyPositions } from './positions';

/**
 * What each position's client segments look like, by party, intermediate participant or chain position (a horizontal study has one): the
 * names and shapes weights uploaded by a participant must have before any average uses them.
 * Built once per study, from models made and dropped here.
 */
export function studyClientLayouts(config: StudyConfig): WeightSpec[][][] {
  return Array.from({ length: studyPositions(config) }, (_, party) => {
    const role = createRole('client', studyRolePlans(config, () => party).client(''), studyRoleOptions(config));
    try {
      return role.segments.map((part) => weightLayout(part.model));
    } finally {
      disposeRole(role);
    }
  });
}
