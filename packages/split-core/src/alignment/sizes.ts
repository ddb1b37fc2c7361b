// Sizes of what an alignment exchanges, with no curve library attached, so the page's main
// thread (the dashboard's topology view) states them from the same constants the protocol uses.

/** A blinded id: a ristretto255 point, compressed. */
export const POINT_BYTES = 32;
/** A tag: an HMAC-SHA-256 of a fully blinded id under the group key. */
export const TAG_BYTES = 32;
