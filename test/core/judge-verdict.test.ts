import { describe, expect, it } from 'vitest';
import { parseScore, parseVerdict } from '../../src/core/judge/verdict.js';

const SCALE: [number, number] = [1, 5];

describe('parseScore', () => {
  it.each([
    ['{"score": 4, "reason": "on topic"}', { score: 4, reason: 'on topic' }],
    ['Here is my verdict:\n```json\n{"score": 2, "reason": "misses the point"}\n```', { score: 2, reason: 'misses the point' }],
    ['{"score": "5", "reason": "a {brace} in a string"}', { score: 5, reason: 'a {brace} in a string' }],
    ['{"note": "not this one"} then {"score": 3}', { score: 3, reason: null }],
    ['{"score": 4.5, "explanation": "mostly"}', { score: 4.5, reason: 'mostly' }],
    ['Score: 4\nReason: answers the question', { score: 4, reason: 'answers the question' }],
    ['**Rating:** 2', { score: 2, reason: null }],
    ['score = 1', { score: 1, reason: null }],
    ['4', { score: 4, reason: null }],
    ['  5. ', { score: 5, reason: null }],
    ['4/5', { score: 4, reason: null }],
    ['**3**', { score: 3, reason: null }],
  ])('%j -> %j', (text, expected) => {
    expect(parseScore(text, SCALE)).toEqual(expected);
  });

  it.each([
    ['I would rate it highly.', /no score/],
    ['', /no score/],
    ['{"reason": "no score field"}', /no score/],
    ['{"score": null}', /no score/],
    ['Score: 7', /outside the scale 1-5/],
    ['0', /outside the scale 1-5/],
    ['4 out of 5, and 3 for style', /no score/],
  ])('%j is a judge error (%s)', (text, message) => {
    const reading = parseScore(text, SCALE);
    expect(reading).toHaveProperty('error');
    expect((reading as { error: string }).error).toMatch(message);
  });

  it('reads a scale that starts at 0', () => {
    expect(parseScore('0', [0, 10])).toEqual({ score: 0, reason: null });
    expect(parseScore('Score: 10', [0, 10])).toEqual({ score: 10, reason: null });
  });
});

describe('parseVerdict', () => {
  it.each([
    ['{"verdict": "A", "reason": "more complete"}', 'A'],
    ['```json\n{"verdict": "b"}\n```', 'B'],
    ['{"winner": "tie"}', 'tie'],
    ['{"verdict": "Answer B"}', 'B'],
    ['[[A]]', 'A'],
    ['After comparing both: [[C]]', 'tie'],
    ['Verdict: B', 'B'],
    ['The winner is A.', 'A'],
    ['**Verdict:** tie', 'tie'],
    ['A', 'A'],
    ['"B"', 'B'],
    ['Tie.', 'tie'],
    ['draw', 'tie'],
    ['Answer A', 'A'],
  ])('%j -> %s', (text, verdict) => {
    expect(parseVerdict(text)).toMatchObject({ verdict });
  });

  it.each([
    'Both answers have merits.',
    'the winner is a close call',
    '{"verdict": "maybe"}',
    'AB',
    '',
  ])('%j is a judge error', (text) => {
    expect(parseVerdict(text)).toHaveProperty('error');
  });
});
