import { formatWithOptions } from 'node:util';
import { redactSecrets } from '../redact.js';

type LogFunction = (message: string, ...rest: unknown[]) => void;

/** The logger shape both SDKs take (`logger` client option): one function per level. */
export interface SdkLogger {
  error: LogFunction;
  warn: LogFunction;
  info: LogFunction;
  debug: LogFunction;
}

/**
 * A logger for the SDKs' own messages (`OPENAI_LOG=debug`, `ANTHROPIC_LOG=info`, retries' warnings):
 * every line goes to `stream` (stderr, never stdout, which carries `--json` output) with the API
 * key and anything shaped like a key removed. The SDKs mask auth headers themselves; this also
 * covers a key echoed in a body or an error.
 */
export function sdkLogger(apiKey: string, stream: NodeJS.WritableStream = process.stderr): SdkLogger {
  const env = { OPENAI_API_KEY: apiKey };
  const write = (level: string): LogFunction => (message, ...rest) => {
    const text = formatWithOptions({ colors: false, depth: 6, breakLength: Infinity }, message, ...rest);
    stream.write(`${level}: ${redactSecrets(redactSecrets(text), env)}\n`);
  };
  return { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug') };
}
