import type { Boot } from '../core/view/types.js';
import { h, mount } from './dom.js';
import { reportSource } from './embedded.js';
import { jobPage } from './job-page.js';
import { jobsPage } from './jobs-page.js';
import { fromSearch, httpSource } from './source.js';
import './style.css';

/** The viewer's page: `#/jobs` or `#/job/<id>?<filters>`, from the API or a report's embedded data. */
const boot = JSON.parse(document.getElementById('evalctl-boot')!.textContent!) as Boot;
const source = boot.mode === 'report' ? reportSource(boot.report!) : httpSource();
const root = document.getElementById('app')!;
let current = new AbortController();

async function route(): Promise<void> {
  current.abort();
  current = new AbortController();
  root.removeAttribute('data-ready');
  const hash = location.hash || boot.start;
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const job = /^\/job\/([^/]+)$/.exec(path);
  try {
    if (job) await jobPage(root, source, decodeURIComponent(job[1]), fromSearch(new URLSearchParams(query)), boot.report);
    else if (boot.mode === 'server') await jobsPage(root, source, current.signal);
    else location.hash = boot.start;
    root.setAttribute('data-ready', 'true');
  } catch (error) {
    mount(root, h('p', { class: 'error', 'data-testid': 'error' }, error instanceof Error ? error.message : String(error)));
  }
}

// Filters rewrite the hash in place (replaceState fires no event); links and the back button route.
window.addEventListener('hashchange', () => void route());
void route();
