/**
 * Which text encoding a file is in, from its first bytes: a byte order mark if there is one,
 * else UTF-16's NUL pattern, else UTF-8 if the bytes are valid UTF-8, else chardet's opinion.
 * Everything that is neither UTF-8 nor UTF-16 is read as windows-1252: it decodes every byte, so
 * no row is ever lost, and it is what spreadsheets on Western-locale Windows write.
 */
import { isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import type { CsvEncoding } from './types.ts';

export interface EncodingGuess {
  encoding: CsvEncoding;
  bom: boolean;
}

/** Enough UTF-16 to see its NUL pattern; more would only slow the count down. */
const NUL_PATTERN_BYTES = 4096;

export function detectEncoding(sample: Buffer): EncodingGuess {
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return { encoding: 'utf8', bom: true };
  if (startsWith(sample, [0xff, 0xfe])) return { encoding: 'utf16le', bom: true };
  if (startsWith(sample, [0xfe, 0xff])) return { encoding: 'utf16be', bom: true };
  const utf16 = utf16ByNulPattern(sample);
  if (utf16) return { encoding: utf16, bom: false };
  if (isUtf8(withoutCutTail(sample))) return { encoding: 'utf8', bom: false };
  const guess = chardet.detect(sample);
  if (guess === 'UTF-16LE') return { encoding: 'utf16le', bom: false };
  if (guess === 'UTF-16BE') return { encoding: 'utf16be', bom: false };
  return { encoding: 'windows-1252', bom: false };
}

export function startsWith(bytes: Buffer, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}

/**
 * CSV is mostly ASCII, and ASCII in UTF-16 puts a NUL in every other byte: odd bytes for
 * little-endian, even bytes for big-endian. Binary files have NULs on both sides.
 */
function utf16ByNulPattern(sample: Buffer): CsvEncoding | null {
  const length = Math.min(sample.length, NUL_PATTERN_BYTES) & ~1;
  if (length < 2) return null;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let index = 0; index < length; index += 2) {
    if (sample[index] === 0) evenNuls += 1;
    if (sample[index + 1] === 0) oddNuls += 1;
  }
  const pairs = length / 2;
  if (oddNuls >= pairs * 0.3 && evenNuls <= pairs * 0.02) return 'utf16le';
  if (evenNuls >= pairs * 0.3 && oddNuls <= pairs * 0.02) return 'utf16be';
  return null;
}

/** A sample cut from a longer file may end inside a multi-byte character: ignore that tail. */
function withoutCutTail(sample: Buffer): Buffer {
  for (let back = 1; back <= Math.min(3, sample.length); back += 1) {
    const byte = sample[sample.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? sample.subarray(0, sample.length - back) : sample;
  }
  return sample;
}

/** Incremental decoder: keeps a character split across chunks whole, drops the BOM. */
export function createDecoder(encoding: CsvEncoding): iconv.DecoderStream {
  return iconv.getDecoder(encoding === 'windows-1252' ? 'windows1252' : encoding);
}

/** The decoder drops one BOM; files converted twice carry two. */
export function stripLeadingBoms(text: string): string {
  let start = 0;
  while (text.charCodeAt(start) === 0xfeff) start += 1;
  return start === 0 ? text : text.slice(start);
}
