import { expect } from 'chai';
import { CoordinationError, createPersistentPath } from '../../../coordination/index.js';

/** A store whose create fails with the given codes, in turn, before it answers. */
function flakyStore(failures: Array<'CRD_CONNECTION_LOSS' | 'CRD_NODE_EXISTS' | 'CRD_NO_NODE'>) {
  const created: string[] = [];
  const tried: string[] = [];
  return {
    created,
    tried,
    async create(path: string): Promise<string> {
      tried.push(path);
      const code = failures.shift();
      if (code) throw new CoordinationError(code, `create ${path}: ${code}`);
      created.push(path);
      return path;
    },
  };
}

describe('coordination > createPersistentPath (mkdirp)', () => {
  it('retries a lost connection (idempotent, as Kafka retries until connected) and treats an existing node as done', async () => {
    const store = flakyStore(['CRD_CONNECTION_LOSS', 'CRD_CONNECTION_LOSS', 'CRD_NODE_EXISTS']);
    await createPersistentPath(store, '/config/topics');
    // /config: lost twice, then it existed (the lost create may have landed); /config/topics created.
    expect(store.tried).to.deep.equal(['/config', '/config', '/config', '/config/topics']);
    expect(store.created).to.deep.equal(['/config/topics']);
  });

  it('gives up after five lost connections on one node, and never retries other errors', async () => {
    const lost = flakyStore(Array(5).fill('CRD_CONNECTION_LOSS'));
    await createPersistentPath(lost, '/config').then(
      () => expect.fail('should fail'),
      (err: unknown) => expect((err as CoordinationError).code).to.equal('CRD_CONNECTION_LOSS'),
    );
    expect(lost.tried).to.have.length(5);
    const other = flakyStore(['CRD_NO_NODE']);
    await createPersistentPath(other, '/a/b').then(
      () => expect.fail('should fail'),
      (err: unknown) => expect((err as CoordinationError).code).to.equal('CRD_NO_NODE'),
    );
    expect(other.tried).to.deep.equal(['/a']);
  });
});
