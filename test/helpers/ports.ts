/**
 * Free loopback ports for test servers.
 *
 * Ports come from below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768–60999
 * by default): a port the kernel hands out for `listen(0)` can just as well be handed to an
 * outgoing connection (a client of ZooKeeper, a broker's fetcher) a moment later, and a broker
 * restarted on "its" port then fails with EADDRINUSE. Below the range only other listeners
 * compete, and a bind check plus a per-process set of handed-out ports rules those out.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(low);
    if (Number.isInteger(n) && n > 12_000) return n;
  } catch {
    // not Linux: fall through to the IANA dynamic range's start
  }
  return 32_768;
}

/**
 * mocha's parallel mode runs test files in worker processes (MOCHA_WORKER_ID 0, 1, ...): each
 * takes its own slice of the range, since the handed-out set is per process.
 */
function slice(low: number, high: number): [number, number] {
  const worker = Number(process.env['MOCHA_WORKER_ID']);
  if (!Number.isInteger(worker) || worker < 0) return [low, high];
  const slices = 4;
  const width = Math.floor((high - low) / slices);
  const start = low + (worker % slices) * width;
  return [start, start + width];
}

const [LOW, HIGH] = slice(10_000, ephemeralRangeStart());

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port)) continue;
    if (await canBind(port, host)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${LOW}–${HIGH - 1} on ${host} after 200 attempts`);
}

export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) ports.push(await freePort(host));
  return ports;
}
