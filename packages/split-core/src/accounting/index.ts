// Compute and communication accounting: analytic FLOPs per segment, measured bytes per client.
export * from './flops';
export * from './traffic';
export * from './method_costs';
