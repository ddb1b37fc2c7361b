// Row alignment for vertical split learning: which patients every party holds, found by a
// private set intersection that reveals no id (to the relay or the other parties).
export { ephemeralKey, openGroupKey, randomScalar, sealGroupKey, type EphemeralKey } from './group_key';
export { POINT_BYTES, PsiError, PsiParty, TAG_BYTES, type PsiIntersection } from './psi_party';
export { alignInProcess, type AlignmentMessage } from './align_in_process';
export { alignParty, type AlignedParty } from './aligned_parties';
