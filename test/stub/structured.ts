// Structured output in the stub: a request carrying a JSON Schema (OpenAI `response_format`
// json_schema, an Anthropic forced tool, or a schema written into the prompt by a client
// falling back) gets a deterministic object built from the schema and the prompt.

type Schema = Record<string, any>;

/** The schema a request asks the answer to follow, and how it was sent; undefined for free text. */
export function requestedSchema(body: any): { schema: Schema; via: 'response_format' | 'tool' } | undefined {
  const format = body?.response_format;
  if (format?.type === 'json_schema' && format.json_schema?.schema) return { schema: format.json_schema.schema, via: 'response_format' };
  const choice = body?.tool_choice;
  if (choice?.type === 'tool' && Array.isArray(body.tools)) {
    const tool = body.tools.find((t: any) => t?.name === choice.name);
    if (tool?.input_schema) return { schema: tool.input_schema, via: 'tool' };
  }
  return undefined;
}

const IN_PROMPT = '\n\nAnswer with a single JSON object matching this JSON Schema, and nothing else:\n';

/** A prompt a client wrote the schema into (its fallback for servers without response_format): the prompt proper and the schema. */
export function schemaInPrompt(prompt: string): { prompt: string; schema: Schema } | undefined {
  const at = prompt.lastIndexOf(IN_PROMPT);
  if (at < 0) return undefined;
  try {
    return { prompt: prompt.slice(0, at), schema: JSON.parse(prompt.slice(at + IN_PROMPT.length)) };
  } catch {
    return undefined;
  }
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * The stub's answer to `prompt` under `schema`: an enum picks a value by a hash of the prompt
 * and the field, a string is `<field>:<prompt length>`, an integer the prompt's length, a
 * number a quarter of it, a boolean whether it is even, an array two items, an object each
 * property (every one, optional or not; a nullable type as its other type).
 */
export function stubObject(schema: Schema, prompt: string, field = ''): unknown {
  if (Array.isArray(schema.anyOf)) return stubObject(schema.anyOf.find((s: Schema) => s.type !== 'null') ?? {}, prompt, field);
  const enumValues = Array.isArray(schema.enum) ? schema.enum.filter((v: unknown) => v !== null) : undefined;
  if (enumValues?.length) return enumValues[hash(prompt + '\0' + field) % enumValues.length];
  const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== 'null') ?? (schema.properties ? 'object' : 'string');
  switch (type) {
    case 'integer': return prompt.length;
    case 'number': return prompt.length / 4;
    case 'boolean': return prompt.length % 2 === 0;
    case 'array': return [0, 1].map((i) => stubObject(schema.items ?? {}, prompt, `${field}${i}`));
    case 'object': return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, stubObject(v as Schema, prompt, k)]));
    default: return `${field}:${prompt.length}`;
  }
}
