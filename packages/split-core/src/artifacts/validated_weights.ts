import { readWeights } from '../model/weights';
import { weightsDigest } from '../model/weights_digest';
import type { SegmentChain } from './chain';
import type { SegmentMetadata } from './metadata';

/** Which weights a chain of exported segments holds, and whether the study validated exactly those. */
export interface WeightsCheck {
  /** The digest of each role's loaded weights, all its segments together, input side first. */
  client: string;
  server: string;
  /** The round whose validation names the weights it scored, when the export carries it. */
  validatedRound?: number;
  /**
   * True: these are the weights the study's validation after `validatedRound` scored, bit for
   * bit; false: they are not; null: the export does not say which weights were validated.
   */
  validated: boolean | null;
  warnings: string[];
}

const short = (digest: string): string => digest.slice(0, 12);
const ROLES: readonly SegmentMetadata['role'][] = ['client', 'server'];

/**
 * Compares the weights of chained segments with what their exports say: each segment's
 * metadata names the digest of its role's weights when exported, and the server export
 * names the digests the study's last validation scored. A segment file changed or mixed in
 * from another export, or weights other than the validated ones, are named in a warning.
 */
export function checkValidatedWeights(chain: SegmentChain): WeightsCheck {
  const warnings: string[] = [];
  const digests = {} as Record<SegmentMetadata['role'], string>;
  for (const role of ROLES) {
    const segments = chain.segments.filter((segment) => segment.metadata.role === role);
    const digest = weightsDigest(segments.map((segment) => readWeights(segment.model)));
    digests[role] = digest;
    const exported = segments.find((segment) => segment.metadata.weightsDigest !== undefined && segment.metadata.weightsDigest !== digest);
    if (exported?.metadata.weightsDigest) {
      warnings.push(
        `the ${role} segment files hold weights ${short(digest)}, but ${exported.source} was exported with ${role} weights ${short(exported.metadata.weightsDigest)}: a file was changed, or segments of different exports were mixed; export them again`,
      );
    }
  }
  const validation = chain.segments.find((segment) => segment.metadata.validation)?.metadata.validation;
  const recorded = validation?.weights;
  if (!validation || !recorded || (recorded.client === undefined && recorded.server === undefined)) {
    return { ...digests, validated: null, warnings };
  }
  const differing = ROLES.filter((role) => recorded[role] !== undefined && recorded[role] !== digests[role]);
  for (const role of differing) {
    warnings.push(
      `the ${role} weights given (${short(digests[role])}) are not the ones the study validated after round ${validation.round + 1} (${short(recorded[role] ?? '')}): the figures below are not the study's own`,
    );
  }
  return { ...digests, validatedRound: validation.round, validated: differing.length === 0, warnings };
}
