import { describe, expect, it } from 'vitest';
import { shardOf } from '../../src/core/shard.js';

describe('shardOf: contiguous ranges covering every row once', () => {
  it.each([
    [10, 4, [[0, 2], [2, 5], [5, 7], [7, 10]]],
    [103, 4, [[0, 25], [25, 51], [51, 77], [77, 103]]],
    [8, 1, [[0, 8]]],
    [2, 3, [[0, 0], [0, 1], [1, 2]]],
  ])('%i rows in %i shards', (rows, count, ranges) => {
    expect(Array.from({ length: count }, (_, i) => shardOf(i + 1, count, rows)).map((s) => [s.start, s.end])).toEqual(ranges);
  });
});
