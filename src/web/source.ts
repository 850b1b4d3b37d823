import type { JobSummary, JobView, RowsPage } from '../core/view/types.js';

/** What the rows table asks for; the same names as the API's URL parameters. */
export interface RowParams {
  offset: number;
  limit: number;
  sort: string;
  dir: 'asc' | 'desc';
  variant: number;
  failed: boolean;
  invalid: boolean;
  incorrect: boolean;
  disagree: boolean;
  truth: string;
  predicted: string;
  judge: '' | 'pass' | 'fail';
  q: string;
}

export const DEFAULT_PARAMS: RowParams = { offset: 0, limit: 50, sort: '__row', dir: 'asc', variant: 0, failed: false, invalid: false, incorrect: false, disagree: false, truth: '', predicted: '', judge: '', q: '' };

/** Where the page's data comes from: the viewer's API, or the data embedded in a report. */
export interface Source {
  readonly kind: 'server' | 'report';
  jobs(): Promise<JobSummary[]>;
  view(id: string): Promise<JobView>;
  rows(id: string, params: RowParams): Promise<RowsPage>;
}

/** `params` as URL parameters, leaving out the defaults. */
export function toSearch(params: RowParams): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === DEFAULT_PARAMS[key as keyof RowParams]) continue;
    search.set(key, typeof value === 'boolean' ? '1' : String(value));
  }
  return search;
}

/** URL parameters back to `params`, unknown keys ignored. */
export function fromSearch(search: URLSearchParams): RowParams {
  const params: Record<string, unknown> = { ...DEFAULT_PARAMS };
  for (const [key, fallback] of Object.entries(DEFAULT_PARAMS)) {
    const value = search.get(key);
    if (value === null) continue;
    params[key] = typeof fallback === 'boolean' ? value === '1' : typeof fallback === 'number' ? Number(value) || 0 : value;
  }
  return params as unknown as RowParams;
}

export function httpSource(): Source {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(path);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
    return body as T;
  };
  return {
    kind: 'server',
    jobs: () => get('/api/jobs'),
    view: (id) => get(`/api/jobs/${encodeURIComponent(id)}`),
    rows: (id, params) => get(`/api/jobs/${encodeURIComponent(id)}/rows?${toSearch(params)}`),
  };
}
