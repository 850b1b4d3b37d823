import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The folder a job's generated images go in: `<output file name>.images`, beside the output
 * (`reviews.prediction.parquet.images/`). The output path belongs to one job (see output
 * ownership), so two jobs writing next to each other never share a folder, even `out.csv` and
 * `out.parquet`.
 */
export function imagesFolder(output: string): string {
  return `${output}.images`;
}

/**
 * The name of a row's image in the folder, without its extension: the row number (0 is the
 * first row of the source), with the variant's name after it when the job has several.
 */
export function imageStem(row: number, variant: string | undefined): string {
  return variant === undefined ? String(row) : `${row}-${variant}`;
}

/** Image file extensions by sniffed type. */
export const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

/**
 * Removes what a run killed mid-write left in the folder (`.<name>.<pid>.partial`): the job's
 * answer log never names those, and its output folder belongs to this job alone, whose one
 * run is this one (the run lock).
 */
export function removePartialImages(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return; // no folder yet
  }
  for (const name of names) if (name.startsWith('.') && name.endsWith('.partial')) rmSync(join(folder, name), { force: true });
}

/**
 * Writes `bytes` as `name` in `folder`, durably (fsynced) and atomically (a temporary name, then
 * renamed), so the path recorded in the answer log always names a whole image. Returns the path
 * relative to the output's folder (`<folder name>/<name>`), which the answer column holds.
 */
export function writeImage(folder: string, name: string, bytes: Uint8Array): string {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, name);
  const partial = join(folder, `.${name}.${process.pid}.partial`);
  try {
    const fd = openSync(partial, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return `${basename(folder)}/${name}`;
}
