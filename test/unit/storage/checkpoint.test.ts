import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEpochCheckpoint, readOffsetCheckpoint, StorageError, writeEpochCheckpoint, writeOffsetCheckpoint } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';

describe('storage > checkpoint files', () => {
  it("writes Kafka's text format atomically and reads it back", async () => {
    const dir = tmpDir();
    const path = join(dir, 'replication-offset-checkpoint');
    await writeOffsetCheckpoint(path, [{ topic: 'orders', partition: 0, offset: 42n }, { topic: 'my-topic', partition: 12, offset: 9007199254740993n }]);
    expect(readFileSync(path, 'utf8')).to.equal('0\n2\norders 0 42\nmy-topic 12 9007199254740993\n');
    expect(readdirSync(dir)).to.deep.equal(['replication-offset-checkpoint']);
    expect(await readOffsetCheckpoint(path)).to.deep.equal([{ topic: 'orders', partition: 0, offset: 42n }, { topic: 'my-topic', partition: 12, offset: 9007199254740993n }]);
    await writeOffsetCheckpoint(path, []);
    expect(readFileSync(path, 'utf8')).to.equal('0\n0\n');
    expect(await readOffsetCheckpoint(join(dir, 'missing'))).to.deep.equal([]);
  });

  it('writes the leader-epoch-checkpoint format', async () => {
    const path = join(tmpDir(), 'leader-epoch-checkpoint');
    await writeEpochCheckpoint(path, [{ epoch: 0, startOffset: 0n }, { epoch: 4, startOffset: 120n }]);
    expect(readFileSync(path, 'utf8')).to.equal('0\n2\n0 0\n4 120\n');
    expect(await readEpochCheckpoint(path)).to.deep.equal([{ epoch: 0, startOffset: 0n }, { epoch: 4, startOffset: 120n }]);
  });

  it('rejects a damaged checkpoint with a typed error', async () => {
    const path = join(tmpDir(), 'recovery-point-offset-checkpoint');
    for (const text of ['1\n0\n', '0\n2\nt 0 1\n', '0\n1\nt x 1\n', '0\n1\nt 0 abc\n', '']) {
      writeFileSync(path, text);
      try {
        await readOffsetCheckpoint(path);
        expect.fail(`accepted ${JSON.stringify(text)}`);
      } catch (err) {
        expect((err as StorageError).code).to.equal('STG_CORRUPT_CHECKPOINT');
      }
    }
  });
});
