// Timestamps are integer milliseconds since the Unix epoch: they sort as numbers in SQL and
// travel as plain JSON. Repositories take the clock as an option so tests can pin time
// instead of asserting on it.
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
