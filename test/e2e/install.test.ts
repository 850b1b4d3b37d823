// First contact: the package as npm publishes it installs globally and works, with nothing
// from this checkout but the tarball (dist/, templates/ and examples/ inside it).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, tempDir } from '../helpers/cli.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

describe('npm pack, then npm install -g <tgz>', () => {
  let temp: ReturnType<typeof tempDir>;
  let bin: string;
  let installed: string;

  beforeAll(async () => {
    temp = tempDir('evalctl-install-');
    // --ignore-scripts: dist/ is fresh already (the e2e setup checks), and rebuilding it here
    // would race the other e2e files reading it.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', temp.dir], { cwd: ROOT });
    const tarball = readdirSync(temp.dir).find((name) => name.endsWith('.tgz'))!;
    const prefix = join(temp.dir, 'prefix');
    await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(temp.dir, tarball)], { cwd: temp.dir, timeout: 180_000 });
    bin = join(prefix, 'bin', 'evalctl');
    installed = join(prefix, 'lib', 'node_modules', 'evalctl');
  }, 240_000);
  afterAll(() => temp?.cleanup());

  it('puts a working evalctl on the PATH of the prefix', async () => {
    const { stdout } = await run(bin, ['--version'], { env: cleanEnv() });
    const { version } = (await import(join(ROOT, 'package.json'), { with: { type: 'json' } })).default;
    expect(stdout.trim()).toBe(version);
  });

  it('ships the built CLI, templates and examples, and no tests or sources', () => {
    for (const path of ['dist/main.js', 'bin/evalctl.js', 'examples/reviews.csv', 'README.md']) expect(existsSync(join(installed, path)), path).toBe(true);
    for (const path of ['test', 'src', 'tsup.config.ts']) expect(existsSync(join(installed, path)), path).toBe(false);
  });

  it('runs the README quickstart offline', async () => {
    const work = join(temp.dir, 'work');
    const env = cleanEnv({ EVALCTL_HOME: join(temp.dir, 'state') });
    await run('mkdir', ['-p', work]);
    const { stderr } = await run(bin, ['create', join(installed, 'examples/reviews.csv'), '--prompt', 'Classify this review as positive, negative or neutral: {review}', '--model', 'echo', '-o', join(work, 'out.csv')], { cwd: work, env });
    expect(stderr).toMatch(/completed/);
    expect(existsSync(join(work, 'out.csv'))).toBe(true);
  });
});
