import type { topology } from '@splitlearn/split-core';
import type { RelaySocket } from '../socket/types';

/** A participant as the running study sees it: its socket and what it declared at hello. */
export interface ParticipantSession {
  participantId: string;
  socket: RelaySocket;
  kind: 'browser' | 'node';
  backend: string;
  label: string | undefined;
  /** Training and validation samples; for a vertical party, its aligned rows once aligned. */
  trainCount: number;
  valCount: number;
  /** Which party of a vertical study this participant is. */
  party: number | undefined;
  /** A vertical party whose rows are aligned with the other parties' for this session. */
  aligned: boolean;
  status: 'ready' | 'paused' | 'disconnected';
  /** The epoch this participant is in, if any: its frames are routed there. */
  epochId: string | undefined;
  /**
   * Where the epoch's group feeds members to members (multi-hop, extended vanilla): this
   * participant's place in the group, the members by index, and what it may send to whom.
   */
  edges?: { index: number; members: readonly string[]; crossings: readonly topology.MemberCrossing[] } | undefined;
  stepsDone: number;
  lastSeen: number;
  /**
   * The digest of the client segment weights this participant holds, as far as the relay
   * knows (what it last sent or received): undefined once the participant trains, or when unknown.
   */
  clientWeightsDigest?: string | undefined;
  /** Set while the relay waits on this participant: fails the wait when it disconnects. */
  abandon?: ((error: Error) => void) | undefined;
}
