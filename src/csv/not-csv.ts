/**
 * Recognises the files people upload instead of a CSV (a workbook, a PDF, an archive, …) by
 * their signature, and binary data in general, so the error can say what to do instead.
 */
import { startsWith } from './encoding.ts';

const SAVE_AS_CSV = 'open it in your spreadsheet app and save it as "CSV UTF-8", then upload that';
const EXPORT_AS_CSV = 'export the contacts from the app they came from as CSV, then upload that';

interface Signature {
  bytes: readonly number[];
  describe: (sample: Buffer) => string;
}

const SIGNATURES: readonly Signature[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], describe: describeZip },
  { bytes: [0x50, 0x4b, 0x05, 0x06], describe: () => 'an empty ZIP archive' },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    describe: () => `a legacy Excel (.xls) workbook or another old Office file; ${SAVE_AS_CSV}`,
  },
  { bytes: ascii('%PDF-'), describe: () => `a PDF document; ${EXPORT_AS_CSV}` },
  {
    bytes: [0x1f, 0x8b],
    describe: () => 'a gzip-compressed file; decompress it and upload the CSV inside',
  },
  { bytes: [0x89, 0x50, 0x4e, 0x47], describe: () => `a PNG image; ${EXPORT_AS_CSV}` },
  { bytes: [0xff, 0xd8, 0xff], describe: () => `a JPEG image; ${EXPORT_AS_CSV}` },
  { bytes: ascii('GIF8'), describe: () => `a GIF image; ${EXPORT_AS_CSV}` },
  { bytes: ascii('SQLite format 3'), describe: () => `an SQLite database; ${EXPORT_AS_CSV}` },
  { bytes: ascii('PAR1'), describe: () => `a Parquet file; ${EXPORT_AS_CSV}` },
  { bytes: ascii('{\\rtf'), describe: () => `an RTF document; ${EXPORT_AS_CSV}` },
  { bytes: [0xff, 0xfe, 0x00, 0x00], describe: utf32 },
  { bytes: [0x00, 0x00, 0xfe, 0xff], describe: utf32 },
];

function ascii(text: string): number[] {
  return [...Buffer.from(text, 'latin1')];
}

function utf32(): string {
  return 'UTF-32 text, which listclean does not read; save it as "CSV UTF-8" and upload that';
}

/** Office Open XML and OpenDocument files are ZIP archives: the entry names tell them apart. */
function describeZip(sample: Buffer): string {
  const names = sample.toString('latin1');
  if (names.includes('xl/')) return `an XLSX workbook; ${SAVE_AS_CSV}`;
  if (names.includes('opendocument.spreadsheet')) return `an ODS spreadsheet; ${SAVE_AS_CSV}`;
  if (names.includes('word/')) return `a Word document; ${EXPORT_AS_CSV}`;
  if (names.includes('ppt/')) return `a PowerPoint presentation; ${EXPORT_AS_CSV}`;
  return `a ZIP archive; unzip it and upload the CSV inside (if it is a workbook, ${SAVE_AS_CSV})`;
}

/** What the raw bytes are, when a signature says they are not a CSV; null otherwise. */
export function describeBySignature(sample: Buffer): string | null {
  const body = startsWith(sample, [0xef, 0xbb, 0xbf]) ? sample.subarray(3) : sample;
  for (const signature of SIGNATURES) {
    if (startsWith(body, signature.bytes)) return signature.describe(body);
  }
  const head = body.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) {
    return `an HTML page; ${EXPORT_AS_CSV}`;
  }
  if (head.startsWith('<?xml') && head.includes('urn:schemas-microsoft-com:office:spreadsheet')) {
    return `an Excel XML spreadsheet; ${SAVE_AS_CSV}`;
  }
  return null;
}

/**
 * Text a person could have typed has almost no control characters; binary data decoded as
 * windows-1252 has one in every nine bytes or so. NUL never occurs in text.
 */
export function describeBinaryText(text: string): string | null {
  if (text.includes('\u0000')) return `binary data (it contains NUL bytes); ${EXPORT_AS_CSV}`;
  let controls = 0;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    const isControl =
      (unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d) ||
      (unit >= 0x7f && unit <= 0x9f);
    if (isControl) controls += 1;
  }
  if (controls > Math.max(2, text.length * 0.01)) {
    const found = `${controls} control characters in the first ${text.length}`;
    return `binary data, not text (${found}); ${EXPORT_AS_CSV}`;
  }
  return null;
}
