/**
 * Bumped on any incompatible change to the events or message shapes. A client speaking
 * another version is refused at hello with 'unsupported-protocol' and told to reload.
 */
export const PROTOCOL_VERSION = 2;
