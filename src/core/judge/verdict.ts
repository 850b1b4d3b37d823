/**
 * Reading a judge's answer. Judges are asked for a JSON object, but models wrap it in prose or
 * code fences, or answer `Score: 4` or just `4`: each is accepted; anything else is a judge
 * error on that row (the raw text is kept in the log).
 */

/** A score read from a judge's answer, or why none could be. */
export type ScoreReading = { score: number; reason: string | null } | { error: string };

/** A pairwise verdict: the answer shown first (`A`), second (`B`), or neither. */
export type Verdict = 'A' | 'B' | 'tie';
export type VerdictReading = { verdict: Verdict; reason: string | null } | { error: string };

const NUMBER = '(-?\\d+(?:\\.\\d+)?)';

/**
 * The score in a judge's answer, on the scale `[min, max]`: a JSON object with `score` anywhere
 * in the text (in a code fence or prose), else `Score: 4` (or `rating = 4`, `4/5`), else a lone
 * number. A score outside the scale is an error.
 *
 * @example parseScore('Sure. {"score": 4, "reason": "on topic"}', [1, 5]) // {score: 4, reason: 'on topic'}
 */
export function parseScore(text: string, scale: readonly [number, number]): ScoreReading {
  const found = fromJson(text, (object) => {
    const value = typeof object.score === 'string' && object.score.trim() !== '' ? Number(object.score) : object.score;
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }) ?? fromLabel(text) ?? loneNumber(text);
  if (!found) return { error: `no score in the judge's answer ${quote(text)}` };
  if (found.value < scale[0] || found.value > scale[1]) return { error: `the judge's score ${found.value} is outside the scale ${scale[0]}-${scale[1]}` };
  return { score: found.value, reason: found.reason };
}

/**
 * The verdict in a pairwise judge's answer: a JSON object with `verdict` (or `winner`), else
 * `Verdict: A` / `Winner: B` / MT-Bench's `[[A]]`, `[[B]]`, `[[C]]` (a tie), else the answer alone
 * (`A`, `B`, `tie`, `draw`, `equal`).
 */
export function parseVerdict(text: string): VerdictReading {
  const json = fromJson(text, (object) => verdictOf(object.verdict ?? object.winner));
  if (json) return { verdict: json.value, reason: json.reason };
  const bracketed = /\[\[\s*(A|B|C|tie)\s*\]\]/i.exec(text);
  if (bracketed) return { verdict: bracketed[1].toUpperCase() === 'C' ? 'tie' : verdictOf(bracketed[1])!, reason: null };
  // The letter must be a capital here: in prose, `the winner is a close call` names no answer.
  const labelled = /\b(?:[Vv]erdict|[Ww]inner|VERDICT|WINNER)\**\s*(?:is\s*)?[:=]?\s*\**\s*(?:[Aa]nswer\s+|[Rr]esponse\s+)?\b(A|B|[Tt]ie|TIE|[Dd]raw|[Ee]qual|[Nn]either|[Bb]oth)\b/.exec(text);
  if (labelled) return { verdict: verdictOf(labelled[1])!, reason: null };
  const alone = /^[\s"'`*([]*(?:answer\s+|response\s+)?(A|B|tie|draw|equal)[\s"'`*)\].!]*$/i.exec(text);
  if (alone) return { verdict: verdictOf(alone[1])!, reason: null };
  return { error: `no verdict (A, B or tie) in the judge's answer ${quote(text)}` };
}

function verdictOf(value: unknown): Verdict | undefined {
  if (typeof value !== 'string') return undefined;
  const word = value.trim().replace(/^(answer|response)\s+/i, '').toLowerCase();
  if (word === 'a') return 'A';
  if (word === 'b') return 'B';
  if (['tie', 'draw', 'equal', 'neither', 'both', 'c'].includes(word)) return 'tie';
  return undefined;
}

/** The first JSON object in the text for which `pick` finds a value, with its `reason`. */
function fromJson<T>(text: string, pick: (object: Record<string, unknown>) => T | undefined): { value: T; reason: string | null } | undefined {
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    const end = closingBrace(text, start);
    if (end === -1) continue;
    let object: unknown;
    try {
      object = JSON.parse(text.slice(start, end + 1));
    } catch {
      continue;
    }
    if (object === null || typeof object !== 'object' || Array.isArray(object)) continue;
    const value = pick(object as Record<string, unknown>);
    if (value === undefined) continue;
    const reason = (object as Record<string, unknown>).reason ?? (object as Record<string, unknown>).explanation;
    return { value, reason: typeof reason === 'string' ? reason : null };
  }
  return undefined;
}

/** Where the object opened at `start` closes (braces inside strings skipped), or -1. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth += 1;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}

/** `Score: 4`, `score = 4.5`, `Rating: 4/5`, with `Reason: ...` when there is one. */
function fromLabel(text: string): { value: number; reason: string | null } | undefined {
  const match = new RegExp(`\\b(?:score|rating)\\**\\s*[:=]\\s*\\**\\s*${NUMBER}`, 'i').exec(text);
  if (!match) return undefined;
  const reason = /\b(?:reason|explanation)\**\s*[:=]\s*\**\s*([\s\S]+)$/i.exec(text)?.[1].trim();
  return { value: Number(match[1]), reason: reason || null };
}

/** The whole answer is a number (`4`, `4.`, `4/5`, `**4**`). */
function loneNumber(text: string): { value: number; reason: null } | undefined {
  const match = new RegExp(`^[\\s"'\`*]*${NUMBER}\\s*(?:/\\s*\\d+)?[\\s"'\`*.]*$`).exec(text);
  return match ? { value: Number(match[1]), reason: null } : undefined;
}

function quote(text: string): string {
  const trimmed = text.trim();
  return JSON.stringify(trimmed.length > 60 ? `${trimmed.slice(0, 60)}…` : trimmed);
}
