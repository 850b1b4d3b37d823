import { createReadStream } from 'node:fs';
import { join } from 'node:path';

/**
 * Copies a finished output file to `out` (stdout with `-o -`). A reader that stops early
 * (`| head`) is not an error: resolves `closed`, and the file stays in the job's folder.
 */
export function emitFile(path: string, out: NodeJS.WritableStream): Promise<'done' | 'closed'> {
  return new Promise((resolve, reject) => {
    const input = createReadStream(path);
    const onError = (error: NodeJS.ErrnoException) => {
      input.destroy();
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') resolve('closed');
      else reject(error);
    };
    out.on('error', onError);
    input.on('error', reject);
    input.on('end', () => {
      out.off('error', onError);
      // A pipe closed after the last write surfaces later; swallow it rather than crash.
      out.on('error', () => undefined);
      resolve('done');
    });
    input.pipe(out, { end: false });
  });
}

/** The output path meaning stdout. */
export const STDOUT = '-';

/**
 * Where the output is written: its path, or for `-o -` and `-o s3://...` a file in the job's
 * folder, streamed to stdout or uploaded after.
 */
export function outputFileFor(output: string, format: string, jobDir: string): string {
  return output === STDOUT || /^s3:\/\//i.test(output) ? join(jobDir, `output.${format}`) : output;
}
