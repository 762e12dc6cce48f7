/**
 * zookeeper-shell.sh — Kafka's zookeeper-shell.sh, read-only: `ls [-R]`, `get`, `stat` on the
 * cluster's ZooKeeper. With a command after the address it runs that one command and exits
 * (exit 1 if it failed); otherwise it reads commands from stdin, one per line.
 */
import { messageOf } from '../../common/index.js';
import { createInterface } from 'node:readline';
import { parseConnectString, type ZkSession } from '../../coordination/index.js';
import { UsageError, type ToolSpec } from './args.js';
import { err, out, runTool } from './common.js';
import { checkConnectString, isNoNode, openZk } from './zk.js';

const HELP = `Commands:
  ls [-R] <path>    children of a znode (-R: the whole subtree, one path per line)
  get <path>        data of a znode (UTF-8)
  stat <path>       the znode's stat
  help              this list
  quit              leave the shell`;

const spec: ToolSpec = {
  name: 'zookeeper-shell.sh',
  summary: 'Browse the ZooKeeper of a Samsa cluster (read-only): zookeeper-shell.sh host:port[/chroot] [command args...]',
  flags: [],
  positionals: true,
  usageTail: `${HELP}\n\nExamples:\n  zookeeper-shell.sh 127.0.0.1:2181 ls /brokers/ids\n  zookeeper-shell.sh 127.0.0.1:2181 get /controller\n  echo "ls -R /brokers" | zookeeper-shell.sh 127.0.0.1:2181`,
};

runTool(spec, async (args) => {
  const [connect, ...command] = args.positionals;
  if (connect === undefined) throw new UsageError('missing the ZooKeeper address (host:port[/chroot])');
  err(`Connecting to ${connect}`);
  // Connect without the chroot and prefix paths ourselves: a session with a chroot would create
  // it when missing, and this shell never writes.
  const { servers, chroot } = parseConnectString(checkConnectString(connect));
  const zk = await openZk(servers);
  const abs = (p: string) => (chroot === '' ? p : p === '/' ? chroot : `${chroot}${p}`);
  const rel = (p: string) => (chroot === '' ? p : p === chroot ? '/' : p.slice(chroot.length));
  const run = (words: string[]) => runCommand(zk, words, abs, rel);
  try {
    if (command.length > 0) return (await run(command)) ? 0 : 1;
    const tty = process.stdin.isTTY === true;
    const rl = createInterface({ input: process.stdin, ...(tty ? { output: process.stdout, prompt: `[zk: ${connect}] ` } : {}), crlfDelay: Infinity });
    if (tty) rl.prompt();
    let ok = true;
    for await (const line of rl) {
      const words = line.trim().split(/\s+/).filter((w) => w !== '');
      if (words[0] === 'quit' || words[0] === 'exit') break;
      if (words.length > 0) ok = (await run(words)) && ok;
      if (tty) rl.prompt();
    }
    rl.close();
    return ok ? 0 : 1;
  } finally {
    await zk.close();
  }
});

async function runCommand(zk: ZkSession, words: string[], abs: (p: string) => string, rel: (p: string) => string): Promise<boolean> {
  const [cmd, ...rest] = words;
  const recursive = rest[0] === '-R';
  const path = recursive ? rest[1] : rest[0];
  if (cmd === 'help') {
    out(HELP);
    return true;
  }
  if (!['ls', 'get', 'stat'].includes(cmd!)) {
    err(`Unknown command: ${cmd} (read-only shell)\n${HELP}`);
    return false;
  }
  if (path === undefined || !path.startsWith('/')) {
    err(`${cmd} needs an absolute path`);
    return false;
  }
  try {
    if (cmd === 'ls') {
      if (recursive) for (const p of await subtree(zk, abs(path))) out(rel(p));
      else out(`[${(await zk.getChildren(abs(path))).sort().join(', ')}]`);
    } else if (cmd === 'get') {
      const { data } = await zk.getData(abs(path));
      out(data === null ? 'null' : data.toString('utf8'));
    } else {
      const { stat } = await zk.getData(abs(path));
      const hex = (n: bigint) => `0x${n.toString(16)}`;
      const time = (ms: bigint) => new Date(Number(ms)).toUTCString();
      out(
        [
          `cZxid = ${hex(stat.czxid)}`,
          `ctime = ${time(stat.ctime)}`,
          `mZxid = ${hex(stat.mzxid)}`,
          `mtime = ${time(stat.mtime)}`,
          `pZxid = ${hex(stat.pzxid)}`,
          `cversion = ${stat.cversion}`,
          `dataVersion = ${stat.version}`,
          `ephemeralOwner = ${hex(stat.ephemeralOwner)}`,
          `dataLength = ${stat.dataLength}`,
          `numChildren = ${stat.numChildren}`,
        ].join('\n'),
      );
    }
    return true;
  } catch (e) {
    err(isNoNode(e) ? `Node does not exist: ${path}` : `Error: ${messageOf(e)}`);
    return false;
  }
}

/** Breadth-first, bounded: a shell command should not walk an unbounded tree forever. */
async function subtree(zk: ZkSession, root: string): Promise<string[]> {
  const outList: string[] = [];
  const queue = [root];
  while (queue.length > 0 && outList.length < 100_000) {
    const p = queue.shift()!;
    outList.push(p);
    // A node deleted while we walk is skipped; a missing root is an error.
    const children = p === root ? await zk.getChildren(p) : await zk.getChildren(p).catch((e: unknown) => (isNoNode(e) ? [] : Promise.reject(e)));
    for (const c of children.sort()) queue.push(p === '/' ? `/${c}` : `${p}/${c}`);
  }
  return outList;
}
