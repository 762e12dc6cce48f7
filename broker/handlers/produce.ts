/**
 * Produce (key 0), v0–9. v0–2 may carry magic 0/1 message sets (up-converted to v2); v8 adds
 * record_errors and error_message, filled when records are refused one by one
 * (replica/record-validation.ts); v9 is flexible. acks must be 0, 1 or -1 (else
 * INVALID_REQUIRED_ACKS on every partition). The replica manager appends per partition and, for
 * acks=-1, waits for the high watermark. With acks=0 there is no response; if anything failed the
 * connection is closed instead (as Kafka does) so that the producer notices and refreshes its
 * metadata.
 */
import { ApiKey, ErrorCode, type ProduceRequest, type ProduceResponse } from '../../protocol/index.js';
import { BrokerError } from '../errors.js';
import { appendRecords, type ProduceEntry } from '../replica/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

function uniform(request: ProduceRequest, errorCode: number): ProduceResponse {
  return {
    responses: request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n })),
    })),
    throttleTimeMs: 0,
  };
}

export function createProduceHandler(deps: HandlerDeps): ApiHandler<typeof ApiKey.Produce> {
  return {
    apiKey: ApiKey.Produce,
    minVersion: 0,
    maxVersion: 9,
    async handle(ctx, request) {
      const acks = request.acks;
      if (acks !== 0 && acks !== 1 && acks !== -1) {
        return uniform(request, ErrorCode.INVALID_REQUIRED_ACKS);
      }
      const entries: ProduceEntry[] = [];
      for (const t of request.topicData) for (const p of t.partitionData) entries.push({ topic: t.name, partition: p.index, records: p.records });
      const results = await appendRecords(deps.replicaManager, entries, { acks, timeoutMs: request.timeoutMs, signal: ctx.signal, produceVersion: ctx.apiVersion });
      if (deps.metrics !== undefined) {
        for (const r of results) deps.metrics.onProduce({ topic: r.topic, bytes: r.bytes, messages: r.recordCount, failed: r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.REQUEST_TIMED_OUT });
      }
      if (acks === 0) {
        const failed = results.find((r) => r.errorCode !== ErrorCode.NONE);
        if (failed !== undefined) {
          throw new BrokerError('BRK_CLOSE_CONNECTION', `acks=0 produce to ${failed.topic}-${failed.partition} failed with error ${failed.errorCode}; closing the connection`);
        }
        return undefined;
      }
      let i = 0;
      return {
        responses: request.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => {
            const r = results[i++]!;
            return {
              index: p.index,
              errorCode: r.errorCode,
              baseOffset: r.baseOffset,
              logAppendTimeMs: r.logAppendTimeMs,
              logStartOffset: r.logStartOffset,
              recordErrors: (r.recordErrors ?? []).map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message })),
              errorMessage: r.errorMessage ?? null,
            };
          }),
        })),
        throttleTimeMs: 0,
      };
    },
    errorResponse: (_ctx, request, errorCode) => uniform(request, errorCode),
  };
}
