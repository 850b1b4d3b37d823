// Where the bench finds the project.
import { resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..');
export const BIN = resolve(REPO, 'bin/evalctl.js');
export const RESULTS = resolve(REPO, 'bench/results');
