import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from './errors.js';

/** The largest prompt template evalctl reads: a prompt is sent with every row. */
export const PROMPT_FILE_LIMIT = 1024 * 1024;

/**
 * Reads a prompt template file as UTF-8 text, refusing at once a file over 1 MiB, one with NUL
 * bytes (binary), or one that is not UTF-8. Reads at most 1 MiB + 1 byte whatever the file is
 * (`/dev/zero`, a pipe, a 10 GB dump), so a wrong path never hangs or fills memory.
 * `label` names the file in messages as the user gave it.
 */
export function readPromptFile(path: string, label: string): string {
  const bytes = readAtMost(path, PROMPT_FILE_LIMIT + 1);
  const name = `The prompt file ${label} (--prompt-file)`;
  if (bytes.includes(0)) {
    throw new InputError(`${name} holds binary data (NUL bytes), not a text template.`, 'Check the path: --prompt-file takes a text file with {column} placeholders.');
  }
  if (bytes.length > PROMPT_FILE_LIMIT) {
    throw new InputError(`${name} is larger than 1 MB, and a prompt is sent with every row.`, 'Check the path: --prompt-file takes a text file with {column} placeholders.');
  }
  if (!isUtf8(bytes)) {
    throw new InputError(`${name} is not UTF-8 text.`, 'Save it again as UTF-8.');
  }
  return bytes.toString('utf8');
}

function readAtMost(path: string, limit: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      // From the current position: devices and pipes have no offsets.
      const read = readSync(fd, buffer, length, limit - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
