/**
 * Naming and selection, as MirrorMaker 2 does it: the replication policy (how a remote topic is
 * named and where a topic came from), which topics, groups and topic configs a flow replicates,
 * and cycle detection. Cycles are detected by name alone: with the default policy a topic whose
 * name says it came from the target (`B.orders` seen by the flow A→B) is never sent back. The
 * identity policy keeps names, so it cannot see cycles (MM2's own caveat): use it one way only.
 */

export type ReplicationPolicyName = 'DefaultReplicationPolicy' | 'IdentityReplicationPolicy';

export interface ReplicationPolicy {
  readonly name: ReplicationPolicyName;
  readonly separator: string;
  /** `A.orders` for topic `orders` from cluster `A` (identity: `orders`). */
  formatRemoteTopic(sourceClusterAlias: string, topic: string): string;
  /** The cluster a remote topic came from (`A` for `A.orders`), null for a local topic. */
  topicSource(topic: string): string | null;
  /** The topic one hop upstream (`orders` for `A.orders`), null for a local topic. */
  upstreamTopic(topic: string): string | null;
  /** The topic at the origin, however many hops away. */
  originalTopic(topic: string): string;
  heartbeatsTopic(): string;
  /** On the source cluster: `mm2-offset-syncs.<target>.internal`. */
  offsetSyncsTopic(targetClusterAlias: string): string;
  /** On the target cluster: `<source>.checkpoints.internal`. */
  checkpointsTopic(sourceClusterAlias: string): string;
  /** On the target cluster: Connect's offset store of the flow from `<source>`. */
  offsetStorageTopic(sourceClusterAlias: string): string;
  isInternalTopic(topic: string): boolean;
  isHeartbeatsTopic(topic: string): boolean;
}

const HEARTBEATS = 'heartbeats';

class DefaultPolicy implements ReplicationPolicy {
  readonly name: ReplicationPolicyName = 'DefaultReplicationPolicy';
  constructor(readonly separator: string) {}

  formatRemoteTopic(sourceClusterAlias: string, topic: string): string {
    return `${sourceClusterAlias}${this.separator}${topic}`;
  }

  topicSource(topic: string): string | null {
    const parts = topic.split(this.separator);
    // Java's String.split drops trailing empty parts: "orders." is not remote.
    while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    return parts.length < 2 ? null : parts[0]!;
  }

  upstreamTopic(topic: string): string | null {
    const source = this.topicSource(topic);
    return source === null ? null : topic.slice(source.length + this.separator.length);
  }

  originalTopic(topic: string): string {
    const upstream = this.upstreamTopic(topic);
    return upstream === null || upstream === topic ? topic : this.originalTopic(upstream);
  }

  heartbeatsTopic(): string {
    return HEARTBEATS;
  }

  // MM2's internal topics use the separator too (KIP-690), except Connect's offset store.
  offsetSyncsTopic(targetClusterAlias: string): string {
    return `mm2-offset-syncs${this.separator}${targetClusterAlias}${this.separator}internal`;
  }

  checkpointsTopic(sourceClusterAlias: string): string {
    return `${sourceClusterAlias}${this.separator}checkpoints${this.separator}internal`;
  }

  offsetStorageTopic(sourceClusterAlias: string): string {
    return `mm2-offsets.${sourceClusterAlias}.internal`;
  }

  isInternalTopic(topic: string): boolean {
    return (
      topic.endsWith(`${this.separator}internal`) || topic.endsWith('.internal') || topic.endsWith('-internal') || topic.startsWith('__') || topic.startsWith('.')
    );
  }

  isHeartbeatsTopic(topic: string): boolean {
    return this.originalTopic(topic) === HEARTBEATS;
  }
}

/** Names unchanged, except heartbeats (which must stay distinguishable per hop). */
class IdentityPolicy extends DefaultPolicy {
  override readonly name: ReplicationPolicyName = 'IdentityReplicationPolicy';

  override formatRemoteTopic(sourceClusterAlias: string, topic: string): string {
    return this.looksLikeHeartbeat(topic) ? super.formatRemoteTopic(sourceClusterAlias, topic) : topic;
  }

  override topicSource(topic: string): string | null {
    return this.looksLikeHeartbeat(topic) ? super.topicSource(topic) : null;
  }

  override upstreamTopic(topic: string): string | null {
    return this.looksLikeHeartbeat(topic) ? super.upstreamTopic(topic) : topic;
  }

  private looksLikeHeartbeat(topic: string): boolean {
    return topic.endsWith(HEARTBEATS);
  }
}

export function replicationPolicy(name: ReplicationPolicyName, separator = '.'): ReplicationPolicy {
  return name === 'IdentityReplicationPolicy' ? new IdentityPolicy(separator) : new DefaultPolicy(separator);
}

/**
 * MM2's pattern lists: comma-separated names or regular expressions, each matching the whole
 * name. null for an empty list (matches nothing).
 */
export function compilePatternList(list: string): RegExp | null {
  const parts = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (parts.length === 0) return null;
  return new RegExp(`^(?:${parts.map((p) => `(?:${p})`).join('|')})$`);
}

export interface IncludeExclude {
  include: RegExp | null;
  exclude: RegExp | null;
}

/** Included and not excluded (excludes win, as in MM2). */
export function selected(filter: IncludeExclude, name: string): boolean {
  return filter.include !== null && filter.include.test(name) && !(filter.exclude?.test(name) ?? false);
}

/** Does `topic` (on the source) come from `targetAlias`, at any number of hops? */
export function isCycle(policy: ReplicationPolicy, targetAlias: string, topic: string): boolean {
  const source = policy.topicSource(topic);
  if (source === null) return false;
  if (source === targetAlias) return true;
  const upstream = policy.upstreamTopic(topic);
  // The identity policy names a remote topic like its upstream: nothing more to learn.
  if (upstream === null || upstream === topic) return false;
  return isCycle(policy, targetAlias, upstream);
}

/**
 * MM2's rule for the flow source→target: topics chosen by `topics`/`topics.exclude`, plus
 * heartbeats topics (always, so remote clusters can be discovered), never internal topics, never
 * a topic that came from the target.
 */
export function shouldReplicateTopic(policy: ReplicationPolicy, topics: IncludeExclude, targetAlias: string, topic: string): boolean {
  return (selected(topics, topic) || policy.isHeartbeatsTopic(topic)) && !policy.isInternalTopic(topic) && !isCycle(policy, targetAlias, topic);
}
