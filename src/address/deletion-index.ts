/**
 * Finds, among a fixed set of words, those within one edit (insert, delete, substitute, swap
 * neighbours) of a query, with a handful of hash lookups instead of one distance computation per
 * word (the "symmetric delete" trick): two strings one edit apart always share a string that
 * is one of them with at most one character deleted.
 */
import { editDistance } from './edit-distance.ts';

function withOneDeletion(word: string): string[] {
  const variants = [word];
  for (let index = 0; index < word.length; index += 1) {
    variants.push(word.slice(0, index) + word.slice(index + 1));
  }
  return variants;
}

export class DeletionIndex {
  readonly #words = new Map<string, Set<string>>();

  constructor(words: Iterable<string>) {
    for (const word of words) {
      for (const variant of withOneDeletion(word)) {
        const bucket = this.#words.get(variant) ?? new Set<string>();
        bucket.add(word);
        this.#words.set(variant, bucket);
      }
    }
  }

  /** Every indexed word at edit distance 0 or 1 from `query`. */
  near(query: string): string[] {
    const found = new Set<string>();
    for (const variant of withOneDeletion(query)) {
      for (const word of this.#words.get(variant) ?? []) {
        if (!found.has(word) && editDistance(query, word) <= 1) found.add(word);
      }
    }
    return [...found];
  }
}
