/**
 * ControlTransport for brokers living in one process (tests, benchmarks): delivers each request
 * straight to the target broker's ControlRequestHandler and records what was sent and answered.
 * A target can be made unreachable to exercise the channel's retries.
 */
import { BrokerError } from '../errors.js';
import type { ControlApi, ControlRequestHandler, ControlRequests } from '../metadata/index.js';
import type { ControlTarget, ControlTransport } from './channel.js';

export interface RecordedControlRequest {
  readonly seq: number;
  readonly at: number;
  readonly to: number;
  readonly api: ControlApi;
  readonly controllerId: number;
  readonly controllerEpoch: number;
  readonly body: unknown;
  /** Error code of the response (request level); undefined until answered. */
  errorCode?: string;
  /** Highest controller epoch the target had seen BEFORE handling this request. */
  targetEpochBefore?: number;
}

export class InProcessControlTransport implements ControlTransport {
  private readonly handlers = new Map<number, ControlRequestHandler>();
  private readonly unreachable = new Set<number>();
  readonly log: RecordedControlRequest[] = [];
  private seq = 0;
  /** Keep the log bounded in long runs (benchmarks). */
  record = true;

  register(brokerId: number, handler: ControlRequestHandler): void {
    this.handlers.set(brokerId, handler);
  }

  unregister(brokerId: number): void {
    this.handlers.delete(brokerId);
  }

  setReachable(brokerId: number, reachable: boolean): void {
    if (reachable) this.unreachable.delete(brokerId);
    else this.unreachable.add(brokerId);
  }

  // The transport interface is the wire's (untyped bodies); what the controller sends here is a control request.
  async send(target: ControlTarget, api: ControlApi, body: ControlRequests[ControlApi]): Promise<unknown> {
    await Promise.resolve();
    const handler = this.handlers.get(target.id);
    if (handler === undefined || this.unreachable.has(target.id)) {
      throw new BrokerError('BRK_BROKER_UNREACHABLE', `broker ${target.id} is unreachable`);
    }
    const entry: RecordedControlRequest | undefined = this.record
      ? { seq: this.seq++, at: Date.now(), to: target.id, api, controllerId: body.controllerId, controllerEpoch: body.controllerEpoch, body, targetEpochBefore: handler.controllerEpoch }
      : undefined;
    if (entry) this.log.push(entry);
    const response = await handler.handle(api, body);
    if (entry) entry.errorCode = response.errorCode;
    return response;
  }
}
