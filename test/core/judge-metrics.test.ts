import { describe, expect, it } from 'vitest';
import { pairwiseSummaries, type JudgeOutcomes } from '../../src/core/judge/metrics.js';

/** Outcomes of a pairwise log from each row's two verdicts (A/B order, then B/A); null: no line, '?': a line without a verdict. */
function outcomes(rows: [string | null, string | null][]): JudgeOutcomes {
  const code = (v: string | null) => (v === 'A' ? 1 : v === 'B' ? 2 : v === 'tie' ? 3 : 0);
  const flat = rows.flat();
  return {
    score: new Float64Array(flat.length).fill(Number.NaN),
    pass: new Uint8Array(flat.length),
    verdict: Uint8Array.from(flat.map(code)),
    kind: Uint8Array.from(flat.map((v) => (v === null ? 0 : 2))),
    firstErrors: new Map(),
  };
}

describe('pairwiseSummaries', () => {
  it.each([
    // [A/B verdict, B/A verdict] -> [wins, ties, losses] of the first variant
    { rows: [['A', 'B']], first: [1, 0, 0] },
    { rows: [['B', 'A']], first: [0, 0, 1] },
    { rows: [['A', 'A']], first: [0, 1, 0] }, // position decided it: a tie
    { rows: [['B', 'B']], first: [0, 1, 0] },
    { rows: [['tie', 'B']], first: [0, 1, 0] },
    { rows: [['tie', 'tie']], first: [0, 1, 0] },
  ] as { rows: [string, string][]; first: [number, number, number] }[])('$rows -> first variant $first', ({ rows, first }) => {
    const [a, b] = pairwiseSummaries(['x', 'y'], outcomes(rows), rows.length);
    expect([a.wins, a.ties, a.losses]).toEqual(first);
    expect([b.wins, b.ties, b.losses]).toEqual([first[2], first[1], first[0]]);
    expect(a.judged).toBe(1);
  });

  it('counts rows missing a verdict in some order as errors, not judged; win rate counts ties half', () => {
    const [a, b] = pairwiseSummaries(['x', 'y'], outcomes([['A', 'B'], ['A', 'A'], ['?', 'B'], [null, null], ['B', 'A'], ['A', 'B']]), 6);
    expect(a).toEqual({ opponent: 'y', judged: 4, wins: 2, ties: 1, losses: 1, errors: 1, win_rate: 2.5 / 4 });
    expect(b).toEqual({ opponent: 'x', judged: 4, wins: 1, ties: 1, losses: 2, errors: 1, win_rate: 1.5 / 4 });
  });

  it('has no win rate with nothing judged', () => {
    expect(pairwiseSummaries(['x', 'y'], outcomes([[null, null]]), 1)[0].win_rate).toBeNull();
  });
});
