/** Random names so that tests never collide on topics, groups or ZooKeeper paths. */
import { randomBytes } from 'node:crypto';

export function randomName(prefix = 'test'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}
