import { averageWeights, type NamedWeight, type WeightSpec } from '../model/weights';

// Large-batch synchronous SGD's barrier: step by step, every client still holding batches
// sends its gradients, and once the last one is in all of them get the sample-weighted
// average (one step on their batches concatenated). A client whose batches ran out still
// asks for each step's average (sending nothing), so every client's model stays equal. The
// same object runs in the simulator and in the relay; a client that leaves (failed,
// disconnected) is no longer waited for, so the others go on.

export class GradientSyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GradientSyncError';
  }
}

interface Contribution {
  samples: number;
  gradients: readonly NamedWeight[];
  resolve: (average: readonly NamedWeight[]) => void;
  reject: (error: Error) => void;
}

export class GradientSync {
  private readonly next = new Map<string, number>();
  private readonly left = new Set<string>();
  private readonly pending = new Map<number, Map<string, Contribution>>();

  /**
   * @param steps each client's steps this round
   * @param layout the model's weights in order, where known (the relay): a client's gradients must name a subsequence of them (its trainable ones)
   */
  constructor(
    private readonly steps: ReadonlyMap<string, number>,
    private readonly layout?: readonly WeightSpec[],
  ) {
    for (const id of steps.keys()) this.next.set(id, 0);
  }

  /**
   * Client `clientId`'s gradients for `step` (none, and 0 samples, once its own batches ran
   * out); resolves to the step's average once every client due has sent its own, or to no
   * gradients at all when nobody had a batch for the step.
   */
  submit(clientId: string, step: number, samples: number, gradients: readonly NamedWeight[]): Promise<readonly NamedWeight[]> {
    const expected = this.next.get(clientId);
    if (expected === undefined || this.left.has(clientId)) return Promise.reject(new GradientSyncError(`${clientId} is not training in this round`));
    if (step !== expected) return Promise.reject(new GradientSyncError(`${clientId} sent gradients for step ${step}; step ${expected} was due`));
    const own = this.steps.get(clientId) ?? 0;
    if (step < own ? !Number.isInteger(samples) || samples < 1 : samples !== 0 || gradients.length > 0) {
      return Promise.reject(new GradientSyncError(`${clientId} sent gradients of ${samples} samples for step ${step}; it has ${own} batches this round`));
    }
    try {
      this.requireLayout(clientId, gradients);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.next.set(clientId, step + 1);
    return new Promise((resolve, reject) => {
      let entries = this.pending.get(step);
      if (!entries) this.pending.set(step, (entries = new Map<string, Contribution>()));
      entries.set(clientId, { samples, gradients, resolve, reject });
      this.settle(step);
    });
  }

  /** No longer waits for `clientId`: it is done, or gone. Its gradients for a step not yet averaged are dropped, and it is told why. */
  leave(clientId: string, reason = 'left the round'): void {
    if (this.left.has(clientId)) return;
    this.left.add(clientId);
    for (const [step, entries] of this.pending) {
      const mine = entries.get(clientId);
      if (mine) {
        entries.delete(clientId);
        mine.reject(new GradientSyncError(`${clientId} ${reason}`));
      }
      this.settle(step);
    }
  }

  /** Every client still in the round takes every step (with a batch or not): each step waits for all of them. */
  private due(): string[] {
    return [...this.steps.keys()].filter((id) => !this.left.has(id));
  }

  private settle(step: number): void {
    const entries = this.pending.get(step);
    if (!entries || entries.size === 0 || !this.due().every((id) => entries.has(id))) return;
    this.pending.delete(step);
    // In the round's client order, not arrival order: float rounding makes the average depend
    // on the order it is summed in, and a relay must give the same step the same average.
    const everyone = [...this.steps.keys()].flatMap((id) => entries.get(id) ?? []);
    const contributions = everyone.filter((entry) => entry.samples > 0);
    if (contributions.length === 0) {
      for (const entry of everyone) entry.resolve([]);
      return;
    }
    let average: NamedWeight[];
    try {
      average = averageWeights(
        contributions.map((entry) => [...entry.gradients]),
        contributions.map((entry) => entry.samples),
      );
    } catch (error) {
      for (const entry of everyone) entry.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    for (const entry of everyone) entry.resolve(average);
  }

  private requireLayout(clientId: string, gradients: readonly NamedWeight[]): void {
    let at = 0;
    for (const gradient of gradients) {
      if (!gradient.values.every(Number.isFinite)) throw new GradientSyncError(`${clientId} sent non-finite gradients for ${gradient.name}`);
      const size = gradient.shape.reduce((product, n) => product * n, 1);
      if (gradient.values.length !== size) throw new GradientSyncError(`${clientId} sent ${gradient.values.length} values for ${gradient.name} [${gradient.shape.join(', ')}]`);
      if (!this.layout) continue;
      while (at < this.layout.length && (this.layout[at]?.name !== gradient.name || this.layout[at]?.shape.join('x') !== gradient.shape.join('x'))) at++;
      if (at === this.layout.length) throw new GradientSyncError(`${clientId} sent a gradient for ${gradient.name} [${gradient.shape.join(', ')}], which is not a weight of this study's model (or is out of order)`);
      at++;
    }
  }
}
