/**
 * A TCP proxy between clients and one broker that can lose the broker's answer to a Produce
 * request: it reads request frames (apiKey, correlation id) on the way in and response frames
 * (correlation id) on the way out; a Produce response chosen by `dropProduceResponse` is never
 * forwarded and the connection is cut, so the broker has written the data but the client only
 * sees a lost connection and retries. Everything else passes through untouched.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

const PRODUCE = 0;

export interface LossyProxyOptions {
  targetHost: string;
  targetPort: () => number;
  /** Asked for every Produce response (1-based count over the proxy's life); true = lose it. */
  dropProduceResponse?: (n: number) => boolean;
}

export interface LossyProxy {
  readonly port: number;
  /** Produce responses seen / lost so far. */
  readonly produceResponses: number;
  readonly dropped: number;
  setDropPolicy(policy: ((n: number) => boolean) | undefined): void;
  close(): Promise<void>;
}

/** Splits a byte stream into Kafka frames (int32 size prefix); calls `onFrame` with each whole frame. */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 4) {
      const size = pending.readInt32BE(at);
      if (pending.length - at < 4 + size) break;
      onFrame(pending.subarray(at, at + 4 + size));
      at += 4 + size;
    }
    pending = at === pending.length ? Buffer.alloc(0) : pending.subarray(at);
  };
}

export async function startLossyProxy(options: LossyProxyOptions, port = 0): Promise<LossyProxy> {
  let policy = options.dropProduceResponse;
  let produceResponses = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const broker = connect(options.targetPort(), options.targetHost);
    sockets.add(client).add(broker);
    const produceIds = new Set<number>();
    let cut = false;
    const cutBoth = (): void => {
      cut = true;
      client.destroy();
      broker.destroy();
    };
    client.on('data', framer((frame) => {
      // Request header v1+: size, apiKey int16, apiVersion int16, correlationId int32.
      if (frame.readInt16BE(4) === PRODUCE) produceIds.add(frame.readInt32BE(8));
      if (!cut) broker.write(frame);
    }));
    broker.on('data', framer((frame) => {
      if (cut) return;
      const correlationId = frame.readInt32BE(4);
      if (produceIds.delete(correlationId)) {
        produceResponses++;
        if (policy?.(produceResponses) === true) {
          dropped++;
          cutBoth();
          return;
        }
      }
      client.write(frame);
    }));
    for (const s of [client, broker]) {
      s.on('error', () => cutBoth());
      s.on('close', () => {
        sockets.delete(s);
        cutBoth();
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  return {
    port: address.port,
    get produceResponses() {
      return produceResponses;
    },
    get dropped() {
      return dropped;
    },
    setDropPolicy(p) {
      policy = p;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
