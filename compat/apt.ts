/**
 * Debian source packages through the ordinary apt tools, with a PRIVATE sources list and private
 * lists/cache directories under the compat cache (the system's apt configuration is only read,
 * never changed): deb-src lines mirror the system's Debian `deb` entries, `apt-get update` and
 * `apt-get source --download-only` run against them, and the package is unpacked with
 * dpkg-source (Debian's patches applied). Build and run dependencies are installed with the
 * system's apt-get when we are root, and named otherwise.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun, runProcess, type RunResult } from './process.js';

export interface AptSourceEntry {
  uri: string;
  suite: string;
  components: string[];
  signedBy?: string;
}

/** Debian's own archive (and its mirrors and snapshots): the only `deb` entries that also serve sources. */
function isDebianArchive(uri: string): boolean {
  return /\/debian(-security)?\/?$|\/archive\/debian(-security)?\/|^https?:\/\/[^/]*\.debian\.org\//.test(uri);
}

/** `deb` entries of one-line sources.list text. */
export function parseOneLineSources(text: string): AptSourceEntry[] {
  const out: AptSourceEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (m === null) continue;
    const signedBy = /(?:^|\s)signed-by=(\S+)/.exec(m[1] ?? '')?.[1];
    out.push({ uri: m[2]!, suite: m[3]!, components: m[4]!.split(/\s+/).filter(Boolean), ...(signedBy ? { signedBy } : {}) });
  }
  return out;
}

/** `deb` entries of deb822 `.sources` text (stanzas separated by blank lines). */
export function parseDeb822Sources(text: string): AptSourceEntry[] {
  const out: AptSourceEntry[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^\s/.test(line) && last !== undefined) {
        fields.set(last, `${fields.get(last)} ${line.trim()}`);
        continue;
      }
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m === null) continue;
      last = m[1]!.toLowerCase();
      fields.set(last, m[2]!.trim());
    }
    const words = (k: string): string[] => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb') || fields.get('enabled')?.toLowerCase() === 'no') continue;
    const signedBy = fields.get('signed-by');
    for (const uri of words('uris')) {
      for (const suite of words('suites')) {
        out.push({ uri, suite, components: words('components'), ...(signedBy && !signedBy.includes(' ') ? { signedBy } : {}) });
      }
    }
  }
  return out;
}

/** deb-src lines mirroring the system's Debian `deb` entries. */
export function privateSourcesList(etcApt = '/etc/apt'): string {
  const entries: AptSourceEntry[] = [];
  const main = join(etcApt, 'sources.list');
  if (existsSync(main)) entries.push(...parseOneLineSources(readFileSync(main, 'utf8')));
  const partsDir = join(etcApt, 'sources.list.d');
  if (existsSync(partsDir)) {
    for (const name of readdirSync(partsDir).sort()) {
      const text = readFileSync(join(partsDir, name), 'utf8');
      if (name.endsWith('.list')) entries.push(...parseOneLineSources(text));
      else if (name.endsWith('.sources')) entries.push(...parseDeb822Sources(text));
    }
  }
  const lines = [...new Set(entries.filter((e) => isDebianArchive(e.uri)).map((e) =>
    `deb-src ${e.signedBy ? `[signed-by=${e.signedBy}] ` : ''}${e.uri} ${e.suite} ${e.components.join(' ')}`.trim()))];
  if (lines.length === 0) throw new Error(`no Debian archive among the deb entries of ${etcApt}/sources.list*: cannot derive deb-src lines`);
  return lines.join('\n') + '\n';
}

const LISTS_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export class PrivateApt {
  readonly dir: string;
  private readonly sourcesFile: string;
  private updated = false;

  constructor(
    cacheRoot: string,
    private readonly logFile: string,
    private readonly log: (line: string) => void,
  ) {
    this.dir = join(cacheRoot, 'apt');
    this.sourcesFile = join(this.dir, 'sources.list');
  }

  private get options(): string[] {
    return [
      '-o', `Dir::Etc::SourceList=${this.sourcesFile}`,
      '-o', 'Dir::Etc::SourceParts=/dev/null',
      '-o', `Dir::State::Lists=${join(this.dir, 'lists')}`,
      '-o', `Dir::Cache=${join(this.dir, 'cache')}`,
    ];
  }

  /** Writes the private sources list and runs `apt-get update` when the lists are missing, old or for other sources. */
  async ensureLists(force = false): Promise<void> {
    if (this.updated && !force) return;
    mkdirSync(join(this.dir, 'lists', 'partial'), { recursive: true });
    mkdirSync(join(this.dir, 'cache', 'archives', 'partial'), { recursive: true });
    const wanted = privateSourcesList();
    const stamp = join(this.dir, 'updated');
    const current = existsSync(this.sourcesFile) ? readFileSync(this.sourcesFile, 'utf8') : '';
    const fresh = existsSync(stamp) && Date.now() - statSync(stamp).mtimeMs < LISTS_MAX_AGE_MS && current === wanted;
    if (fresh && !force) {
      this.updated = true;
      return;
    }
    writeFileSync(this.sourcesFile, wanted);
    this.log(`apt: updating the private source lists (${wanted.trim().split('\n').length} deb-src entries, ${this.dir})`);
    await mustRun('apt-get', ['-q', ...this.options, 'update'], { timeoutMs: 300_000, logFile: this.logFile });
    writeFileSync(stamp, new Date().toISOString() + '\n');
    this.updated = true;
  }

  /** Source package name and newest version for a source or binary package name. */
  async sourceVersion(name: string): Promise<{ source: string; version: string }> {
    await this.ensureLists();
    const r = await mustRun('apt-cache', [...this.options, 'showsrc', name], { timeoutMs: 60_000 });
    const records = r.output.split(/\n\s*\n/).map((rec) => ({
      source: /^Package: (\S+)/m.exec(rec)?.[1],
      version: /^Version: (\S+)/m.exec(rec)?.[1],
    })).filter((x): x is { source: string; version: string } => x.source !== undefined && x.version !== undefined);
    if (records.length === 0) throw new Error(`apt-cache showsrc ${name}: no source package in ${this.sourcesFile}`);
    let best = records[0]!;
    for (const rec of records.slice(1)) {
      const newer = await runProcess('dpkg', ['--compare-versions', rec.version, 'gt', best.version], { timeoutMs: 10_000 });
      if (newer.code === 0) best = rec;
    }
    return best;
  }

  /**
   * The unpacked source tree of a package, downloaded and unpacked once into
   * `<cacheRoot>/src/<source>_<version>/tree`. Returns the tree and whether Debian's patches
   * were applied (false when the mirror no longer serves the Debian packaging tarball: the
   * upstream tarball is then unpacked after checking its SHA-256 against the .dsc).
   */
  async sourceTree(cacheRoot: string, name: string): Promise<{ tree: string; source: string; version: string; debianPatches: boolean }> {
    const { source, version } = await this.sourceVersion(name);
    const work = join(cacheRoot, 'src', `${source}_${version}`);
    const tree = join(work, 'tree');
    const marker = join(tree, '.samsa-unpacked');
    if (existsSync(marker)) return { tree, source, version, debianPatches: readFileSync(marker, 'utf8').includes('debian-patches') };
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    this.log(`apt: apt-get source ${source}=${version}`);
    const upstreamVersion = version.replace(/^\d+:/, '').replace(/-[^-]+$/, '');
    const dscName = `${source}_${version.replace(/^\d+:/, '')}.dsc`;
    const dscFile = join(work, dscName);
    const fetch = (): Promise<RunResult> =>
      runProcess('apt-get', ['-q', ...this.options, 'source', '--download-only', `${source}=${version}`], { cwd: work, timeoutMs: 300_000, logFile: this.logFile });
    let download = await fetch();
    if (download.code !== 0 && !existsSync(dscFile)) {
      await this.ensureLists(true); // stale lists may name files the mirror has replaced
      download = await fetch();
    }
    if (!existsSync(dscFile)) throw new Error(`apt-get source ${source}=${version} fetched no ${dscName}:\n${download.output.slice(-2000)}`);
    const files = parseDscChecksums(readFileSync(dscFile, 'utf8'));
    const missing = files.filter((f) => !existsSync(join(work, f.name)));
    let debianPatches: boolean;
    if (missing.length === 0) {
      await mustRun('dpkg-source', ['--no-check', '-x', dscName, 'tree'], { cwd: work, timeoutMs: 300_000, logFile: this.logFile });
      debianPatches = true;
    } else {
      const orig = files.find((f) => /\.orig\.tar\.[a-z0-9]+$/.test(f.name) && !missing.includes(f));
      if (orig === undefined || missing.some((f) => /\.orig\.tar\./.test(f.name))) {
        throw new Error(`apt-get source ${source}=${version} could not fetch ${missing.map((f) => f.name).join(', ')}:\n${download.output.slice(-2000)}`);
      }
      const digest = createHash('sha256').update(readFileSync(join(work, orig.name))).digest('hex');
      if (digest !== orig.sha256) throw new Error(`${orig.name}: SHA-256 ${digest} differs from the .dsc's ${orig.sha256}`);
      this.log(`apt: the mirror did not serve ${missing.map((f) => f.name).join(', ')}; using the upstream tarball ${orig.name} (SHA-256 checked against the .dsc) without Debian's patches`);
      mkdirSync(tree);
      await mustRun('tar', ['-xf', join(work, orig.name), '-C', tree, '--strip-components=1'], { timeoutMs: 300_000, logFile: this.logFile });
      debianPatches = false;
    }
    writeFileSync(marker, `${source} ${version} upstream ${upstreamVersion}${debianPatches ? ' debian-patches' : ''}\n`);
    return { tree, source, version, debianPatches };
  }
}

/** Files of a .dsc with their SHA-256 (Checksums-Sha256 field). */
export function parseDscChecksums(dsc: string): { name: string; sha256: string }[] {
  const m = /^Checksums-Sha256:\s*\n((?:[ \t]+\S.*\n?)+)/m.exec(dsc);
  if (m === null) return [];
  return m[1]!.split('\n').map((l) => l.trim().split(/\s+/)).filter((p) => p.length === 3).map((p) => ({ sha256: p[0]!, name: p[2]! }));
}

/**
 * Makes sure Debian packages are installed: as root with the system's apt-get, otherwise an
 * error that names what to install.
 */
export async function ensureDebianPackages(packages: readonly string[], why: string, logFile: string, log: (line: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const p of packages) {
    const r = await runProcess('dpkg-query', ['-W', '-f=${db:Status-Status}', p], { timeoutMs: 30_000 });
    if (r.code !== 0 || r.output.trim() !== 'installed') missing.push(p);
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`${why} needs the Debian packages ${missing.join(' ')} (as root: apt-get install --no-install-recommends ${missing.join(' ')})`);
  }
  log(`apt: installing ${missing.join(' ')} (${why})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = ['-q', '-y', '--no-install-recommends', 'install', ...missing];
  const first = await runProcess('apt-get', args, { env, timeoutMs: 600_000, logFile });
  if (first.code === 0) return;
  // The system's package lists may be absent or stale (a fresh machine): refresh them once.
  await mustRun('apt-get', ['-q', 'update'], { env, timeoutMs: 300_000, logFile });
  await mustRun('apt-get', args, { env, timeoutMs: 600_000, logFile });
}
