// The dashboard shell: a hash router over the pages, and one poll of /cluster/stats every few
// seconds feeding the in-page history and the page on screen. Polls never overlap (each waits
// for the previous answer), so a slow broker slows the page down instead of piling requests up.
import { get, on } from './api.js';
import { ClusterHistory } from './samples.js';
import * as clusterPage from './pages/cluster.js';
import * as topicsPage from './pages/topics.js';
import * as topicPage from './pages/topic.js';
import * as messagesPage from './pages/messages.js';
import * as groupsPage from './pages/groups.js';
import * as groupPage from './pages/group.js';

const POLL_MS = 2000;
const main = document.getElementById('main');
const status = document.getElementById('status');

const ctx = {
  history: new ClusterHistory(),
  stats: null,
  /** Last known broker descriptions (rack, endpoints) by id: a broker that went down keeps its row. */
  brokerInfo: new Map(),
  cluster: null,
  navigate: (hash) => {
    location.hash = hash;
  },
};

const routes = [
  [/^#\/cluster$/, () => clusterPage.show(main, ctx), 'cluster'],
  [/^#\/topics$/, () => topicsPage.show(main, ctx), 'topics'],
  [/^#\/topics\/([^/]+)\/messages$/, (m, q) => messagesPage.show(main, ctx, decodeURIComponent(m[1]), q), 'topics'],
  [/^#\/topics\/([^/]+)$/, (m) => topicPage.show(main, ctx, decodeURIComponent(m[1])), 'topics'],
  [/^#\/groups$/, () => groupsPage.show(main, ctx), 'groups'],
  [/^#\/groups\/([^/]+)$/, (m) => groupPage.show(main, ctx, decodeURIComponent(m[1])), 'groups'],
];

let page = null;

function route() {
  const [path, query = ''] = (location.hash || '#/cluster').split('?');
  page?.leave?.();
  page = null;
  main.replaceChildren();
  delete main.dataset.loaded;
  for (const [re, make, nav] of routes) {
    const m = path.match(re);
    if (m === null) continue;
    for (const a of document.querySelectorAll('[data-nav]')) {
      if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    page = make(m, new URLSearchParams(query));
    if (ctx.stats !== null) page?.update?.(ctx.stats);
    return;
  }
  location.replace('#/cluster');
}

async function poll() {
  try {
    const [stats, cluster] = await Promise.all([get('/cluster/stats'), get('/cluster')]);
    for (const b of cluster.brokers) ctx.brokerInfo.set(b.id, b);
    ctx.cluster = cluster;
    ctx.stats = stats;
    ctx.history.add(stats);
    status.textContent = `live · ${new Date(stats.timeMs).toLocaleTimeString('en-GB')}`;
    status.classList.remove('bad');
    document.body.dataset.samples = String(Number(document.body.dataset.samples ?? 0) + 1);
    await page?.update?.(stats);
  } catch (err) {
    status.textContent = `no answer: ${err.message}`;
    status.classList.add('bad');
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

on('unauthorized', () => {
  status.textContent = 'The admin API asks for a login';
  status.classList.add('bad');
});

window.addEventListener('hashchange', route);
route();
void poll();
