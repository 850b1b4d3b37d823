import type { JsonSchema } from './schema.js';

/** The name a schema is sent under (OpenAI's `json_schema.name`, Anthropic's tool name). */
export const SCHEMA_NAME = 'answer';

/**
 * The prompt for a server that cannot take the schema as a parameter: the prompt, then the
 * schema and the instruction to answer with the JSON alone. The answer is validated all the same.
 */
export function promptWithSchema(prompt: string, schema: JsonSchema): string {
  return `${prompt}\n\nAnswer with a single JSON object matching this JSON Schema, and nothing else:\n${JSON.stringify(schema)}`;
}

/**
 * Whether a 400 says the server does not take `response_format` (json_schema): Ollama, older
 * vLLM and gateways word it their own way, and carry no error code for it, so the message is
 * matched, here only (see test/core/structured.test.ts for the wordings).
 */
export function rejectsResponseFormat(status: number | undefined, message: string): boolean {
  return status === 400 && /response_format|json_schema|structured output|guided_json/i.test(message);
}
