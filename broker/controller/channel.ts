/**
 * Controller→broker delivery (Kafka's ControllerChannelManager): one FIFO queue per live broker.
 * The head request is sent and, if the transport fails, sent again after a backoff, until it is
 * acknowledged or the broker leaves the live set; only then does the next request go. Responses
 * carrying an error code count as acknowledged: they are answers, not delivery failures.
 */
import type { Logger } from 'pino';
import { backoffMs, type BackoffPolicy, type Scheduler, sleep } from '../../common/index.js';
import type { ControlApi, ControlResponse } from '../metadata/index.js';

export interface ControlTarget {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/** Implemented over TCP by the network module (msgpack frames on the inter-broker listener). */
export interface ControlTransport {
  send(target: ControlTarget, api: ControlApi, body: unknown): Promise<unknown>;
}

interface Pending {
  readonly api: ControlApi;
  readonly body: unknown;
  readonly done: (response: ControlResponse | null) => void;
}

interface BrokerQueue {
  target: ControlTarget;
  items: Pending[];
  sending: boolean;
  removed: boolean;
}

export interface ChannelOptions {
  transport: ControlTransport;
  scheduler: Scheduler;
  logger: Logger;
  retryBackoffMs?: number;
}

export class ControllerChannelManager {
  private readonly queues = new Map<number, BrokerQueue>();
  private closed = false;
  private readonly retryBackoff: BackoffPolicy;

  constructor(private readonly options: ChannelOptions) {
    this.retryBackoff = { initialMs: options.retryBackoffMs ?? 100, maxMs: 2000 };
  }

  addBroker(target: ControlTarget): void {
    const q = this.queues.get(target.id);
    if (q !== undefined) {
      q.target = target;
      return;
    }
    this.queues.set(target.id, { target, items: [], sending: false, removed: false });
  }

  /** The broker is gone: queued and in-flight requests resolve null and are not retried. */
  removeBroker(id: number): void {
    const q = this.queues.get(id);
    if (q === undefined) return;
    q.removed = true;
    this.queues.delete(id);
    for (const p of q.items.splice(0)) p.done(null);
  }

  hasBroker(id: number): boolean {
    return this.queues.has(id);
  }

  /** Queues a request; resolves with the response, or null if the broker left first. */
  send(brokerId: number, api: ControlApi, body: unknown): Promise<ControlResponse | null> {
    const q = this.queues.get(brokerId);
    if (q === undefined || this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      q.items.push({ api, body, done: resolve });
      this.pump(q);
    });
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.queues.keys()]) this.removeBroker(id);
  }

  private pump(q: BrokerQueue): void {
    if (q.sending) return;
    q.sending = true;
    void (async () => {
      let attempt = 0;
      while (!q.removed && !this.closed && q.items.length > 0) {
        const head = q.items[0]!;
        try {
          const response = (await this.options.transport.send(q.target, head.api, head.body)) as ControlResponse;
          if (q.removed || this.closed) break;
          q.items.shift();
          attempt = 0;
          head.done(response);
        } catch (err) {
          if (q.removed || this.closed) break;
          attempt++;
          if (attempt === 1 || attempt % 50 === 0) {
            this.options.logger.warn({ err, brokerId: q.target.id, api: head.api, attempt }, 'control request failed; retrying');
          }
          await sleep(this.options.scheduler, backoffMs(this.retryBackoff, attempt - 1));
        }
      }
      q.sending = false;
    })();
  }
}
