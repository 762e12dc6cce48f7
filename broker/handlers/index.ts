/**
 * The Kafka handler registry: one handler per api key, each in its own file. What the broker
 * advertises in ApiVersions is computed here, from the handlers actually registered intersected
 * with the ranges protocol/'s message specs describe, so the two can never disagree.
 */
import { describedVersions } from '../../protocol/index.js';
import type { KafkaHandler } from '../request-context.js';
import { createAlterConfigsHandler } from './alter-configs.js';
import { createApiVersionsHandler } from './api-versions.js';
import { createCreatePartitionsHandler } from './create-partitions.js';
import { createCreateTopicsHandler } from './create-topics.js';
import { createDeleteRecordsHandler } from './delete-records.js';
import { createDeleteTopicsHandler } from './delete-topics.js';
import type { HandlerDeps } from './deps.js';
import { createDescribeConfigsHandler } from './describe-configs.js';
import { createFetchHandler } from './fetch.js';
import { createIncrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { createListOffsetsHandler } from './list-offsets.js';
import { createMetadataHandler } from './metadata.js';
import { createOffsetForLeaderEpochHandler } from './offset-for-leader-epoch.js';
import { createProduceHandler } from './produce.js';

export interface ApiVersionRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** The range protocol/ can encode for an api key, or undefined. */
export function codecRange(apiKey: number): { min: number; max: number } | undefined {
  const r = describedVersions(apiKey);
  return r === undefined ? undefined : { min: r.min, max: r.max };
}

export class HandlerRegistry {
  private readonly handlers = new Map<number, KafkaHandler>();
  private advertisedCache: ApiVersionRange[] | undefined;
  private rangeCache: Map<number, ApiVersionRange> | undefined;

  /** Adds a handler; registering an api key twice is a programming error. */
  register(handler: KafkaHandler): this {
    if (this.handlers.has(handler.apiKey)) throw new Error(`a handler for api key ${handler.apiKey} is already registered`);
    if (handler.minVersion > handler.maxVersion) throw new Error(`handler for api key ${handler.apiKey} has an empty version range`);
    this.handlers.set(handler.apiKey, handler);
    this.advertisedCache = undefined;
    this.rangeCache = undefined;
    return this;
  }

  /** Replaces the handler of an api key (tests, or a later module taking over an api). */
  replace(handler: KafkaHandler): this {
    this.handlers.delete(handler.apiKey);
    return this.register(handler);
  }

  get(apiKey: number): KafkaHandler | undefined {
    return this.handlers.get(apiKey);
  }

  /** The advertised range of an api key, or undefined when we do not serve it. */
  range(apiKey: number): ApiVersionRange | undefined {
    this.rangeCache ??= new Map(this.advertised().map((r) => [r.apiKey, r]));
    return this.rangeCache.get(apiKey);
  }

  /** Every served api with the versions both its handler and the codecs support. */
  advertised(): readonly ApiVersionRange[] {
    if (this.advertisedCache !== undefined) return this.advertisedCache;
    const out: ApiVersionRange[] = [];
    for (const h of this.handlers.values()) {
      const codec = codecRange(h.apiKey);
      if (codec === undefined) continue;
      const minVersion = Math.max(h.minVersion, codec.min);
      const maxVersion = Math.min(h.maxVersion, codec.max);
      if (minVersion <= maxVersion) out.push({ apiKey: h.apiKey, minVersion, maxVersion });
    }
    out.sort((a, b) => a.apiKey - b.apiKey);
    this.advertisedCache = out;
    return out;
  }
}

/** A registry holding the handlers that need nothing but the network layer (ApiVersions). */
export function createHandlerRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  registry.register(createApiVersionsHandler(() => registry.advertised()));
  return registry;
}

/** Every data-path and admin handler of this issue, in one list for the composition root. */
export function dataPathHandlers(deps: HandlerDeps): KafkaHandler[] {
  return [
    createProduceHandler(deps),
    createFetchHandler(deps),
    createListOffsetsHandler(deps),
    createMetadataHandler(deps),
    createCreateTopicsHandler(deps),
    createDeleteTopicsHandler(deps),
    createDeleteRecordsHandler(deps),
    createOffsetForLeaderEpochHandler(deps),
    createDescribeConfigsHandler(deps),
    createAlterConfigsHandler(deps),
    createIncrementalAlterConfigsHandler(deps),
    createCreatePartitionsHandler(deps),
  ];
}

export { createApiVersionsHandler, apiVersionsBody } from './api-versions.js';
export { type HandlerDeps, waitForMetadata } from './deps.js';
export { adminApiHandlers, type AdminApiDeps } from './admin-apis.js';
export { createProduceHandler } from './produce.js';
export { createFetchHandler } from './fetch.js';
export { createListOffsetsHandler } from './list-offsets.js';
export { createMetadataHandler } from './metadata.js';
export { createCreateTopicsHandler } from './create-topics.js';
export { createDeleteTopicsHandler } from './delete-topics.js';
export { createDeleteRecordsHandler } from './delete-records.js';
export { createOffsetForLeaderEpochHandler } from './offset-for-leader-epoch.js';
export { createDescribeConfigsHandler } from './describe-configs.js';
export { createAlterConfigsHandler } from './alter-configs.js';
export { createIncrementalAlterConfigsHandler, applyConfigOps } from './incremental-alter-configs.js';
export { createCreatePartitionsHandler } from './create-partitions.js';
