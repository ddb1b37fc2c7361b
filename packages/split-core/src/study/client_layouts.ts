import { weightLayout, type WeightSpec } from '../model/weights';
import { createRole, disposeRole } from '../segment/roles';
import type { StudyConfig } from './config';
import { studyRoleOptions, studyRolePlans } from './model';

/**
 * What each party's client segments look like, by party (a horizontal study has one): the
 * names and shapes weights uploaded by a participant must have before any average uses them.
 * Built once per study, from models made and dropped here.
 */
export function studyClientLayouts(config: StudyConfig): WeightSpec[][][] {
  const parties = config.topology === 'vertical' ? config.parties.length : 1;
  return Array.from({ length: parties }, (_, party) => {
    const role = createRole('client', studyRolePlans(config, () => party).client(''), studyRoleOptions(config));
    try {
      return role.segments.map((part) => weightLayout(part.model));
    } finally {
      disposeRole(role);
    }
  });
}
