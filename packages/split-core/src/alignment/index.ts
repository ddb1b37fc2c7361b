// Row alignment for vertical split learning: which patients every party holds, found by a
// private set intersection that reveals no id (to the relay or the other parties).
export { ephemeralKey, openGroupKey, randomScalar, sealGroupKey, type EphemeralKey } from './group_key';
export { POINT_BYTES, PsiError, PsiParty, TAG_BYTES, type PsiIntersection } from './psi_party';
export { PsiParticipant } from './psi_participant';
export { alignParties, type AlignmentOutcome, type AlignmentParties, type AlignmentProgress } from './coordinator';
export { alignInProcess, type AlignmentMessage } from './align_in_process';
export { alignedTrainingData, alignParty, type AlignedParty } from './aligned_parties';
export { packPoints, unpackPoints } from './packing';
export { withLocalLeader } from './local_leader';
