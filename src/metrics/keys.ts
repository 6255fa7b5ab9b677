/** Field conventions of the metric hashes (their keys are in src/redis/keys.ts). */

/** Separates the reply code from the provider in a `replies` field; neither can contain it. */
export const FIELD_SEPARATOR = '|';

/** Label value that stands for every provider outside the top ones. */
export const OTHER = 'other';
