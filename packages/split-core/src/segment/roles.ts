import type { SegmentPlan } from '../model/cuts';
import type { Augmentation } from '../augmentation/augmentation';
import type { ActivationNoise } from '../privacy/activation_noise';
import type { OptimizerConfig } from './optimizer_names';
import { createSegment, type LossOptions, type Segment } from './segment';

// A role is whoever holds segments of the split model: a client (data holder, party or hop)
// or the server. Each holds its segments, input side first, with its own optimizers.

/** The segments a client (data owner) holds, input side first. */
export interface ClientRole {
  segments: Segment[];
  /** NoPeek: the weight of the distance correlation between a batch and its cut activations in this client's loss (absent: off). */
  noPeek?: number;
  /** Clipping and Gaussian noise on the cut activations this client sends from its data (absent: off). */
  activationNoise?: ActivationNoise;
  /** The study's augmentation of this client's training images, on its own engine (absent: none). */
  augmentation?: Augmentation;
}

/** The segments the server holds. */
export interface ServerRole {
  segments: Segment[];
}

export interface RoleOptions {
  /** Same seed on every role: all participants start from the same weights. */
  seed: number;
  optimizer: OptimizerConfig;
  /** The study's NoPeek weight (privacy/distance_correlation.ts); only a client's role takes it. */
  noPeek?: number;
  /** The study's activation noise (privacy/activation_noise.ts); only a client's role takes it. */
  activationNoise?: ActivationNoise;
  /** How the role computing the loss weighs it (label smoothing, class weights). */
  loss?: LossOptions;
  /** The study's augmentation of training images; only a client's role takes it. */
  augmentation?: Augmentation;
}

/** Builds a role's segments; named `client_segment0`, `server_segment1`, ... as exports name them. */
export function createRole(role: 'client' | 'server', plans: readonly SegmentPlan[], options: RoleOptions): ClientRole & ServerRole {
  const segments = plans.map((plan) => createSegment(plan, { seed: options.seed, optimizer: options.optimizer, name: `${role}_segment${plan.index}`, ...(options.loss ? { loss: options.loss } : {}) }));
  if (role !== 'client') return { segments };
  return {
    segments,
    ...(options.noPeek ? { noPeek: options.noPeek } : {}),
    ...(options.activationNoise ? { activationNoise: options.activationNoise } : {}),
    ...(options.augmentation ? { augmentation: options.augmentation } : {}),
  };
}

/** Sets every segment's optimizer to the learning rate of training round `round` (the study's schedule). */
export function enterRound(role: ClientRole | ServerRole, round: number): void {
  for (const segment of role.segments) segment.optimizer.enterRound(round);
}

export function disposeRole(role: ClientRole | ServerRole): void {
  for (const segment of role.segments) {
    segment.model.dispose();
    segment.optimizer.dispose();
  }
}
