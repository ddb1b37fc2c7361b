import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from './checkpoints';
import { CheckpointCorruptionError } from './errors';
import { useDataDir } from './test_support';

const dataDir = useDataDir();

const STUDY = 'study_A-1';

function contents(round: number): { manifest: { step: number; segments: string[] }; blobs: Record<string, Uint8Array> } {
  return {
    manifest: { step: round * 100, segments: ['server-segment0.bin', 'client-segment0.bin'] },
    blobs: {
      'server-segment0.bin': Uint8Array.from({ length: 1000 }, (_, index) => (index * 7 + round) % 256),
      'client-segment0.bin': new Uint8Array([round, 1, 2, 3]),
      'optimizer.json': new TextEncoder().encode(JSON.stringify({ beta1: 0.9, round })),
      'empty.bin': new Uint8Array(0),
    },
  };
}

function studyDirectory(): string {
  return join(dataDir(), 'checkpoints', STUDY);
}

describe('CheckpointStore', () => {
  it('writes its folders 0700 and its files 0600: model weights stay private to the relay user', async () => {
    await new CheckpointStore(dataDir()).save(STUDY, 1, contents(1));
    const roundDirectory = join(studyDirectory(), 'round-1');
    for (const directory of [join(dataDir(), 'checkpoints'), studyDirectory(), roundDirectory]) expect((await stat(directory)).mode & 0o777).toBe(0o700);
    for (const name of await readdir(roundDirectory)) expect({ name, mode: (await stat(join(roundDirectory, name))).mode & 0o777 }).toEqual({ name, mode: 0o600 });
  });

  it('saves a round and loads the same manifest and bytes, also from a new store on the same directory', async () => {
    const saved = contents(4);
    const store = new CheckpointStore(dataDir(), { now: () => 77 });
    expect(await store.save(STUDY, 4, saved)).toEqual({ studyId: STUDY, round: 4, createdAt: 77 });
    expect((await readdir(join(studyDirectory(), 'round-4'))).sort()).toEqual([
      'client-segment0.bin',
      'empty.bin',
      'manifest.json',
      'optimizer.json',
      'server-segment0.bin',
    ]);

    const loaded = await new CheckpointStore(dataDir()).load(STUDY, 4);
    expect(loaded).toMatchObject({ studyId: STUDY, round: 4, createdAt: 77, manifest: saved.manifest });
    expect(Object.fromEntries(loaded?.blobs ?? [])).toEqual(saved.blobs);
  });

  it('accepts blobs as a Map and a missing manifest', async () => {
    const store = new CheckpointStore(dataDir());
    await store.save(STUDY, 0, { blobs: new Map([['weights.bin', new Uint8Array([9, 8])]]) });
    const loaded = await store.load(STUDY, 0);
    expect(loaded?.manifest).toBeNull();
    expect([...(loaded?.blobs ?? [])]).toEqual([['weights.bin', new Uint8Array([9, 8])]]);
  });

  it('finds the latest round, and nothing for a study without checkpoints', async () => {
    const store = new CheckpointStore(dataDir());
    expect(await store.latest(STUDY)).toBeUndefined();
    expect(await store.rounds(STUDY)).toEqual([]);
    for (const round of [2, 10, 9]) await store.save(STUDY, round, contents(round));
    expect((await store.latest(STUDY))?.round).toBe(10);
    expect(await store.load(STUDY, 3)).toBeUndefined();
    expect(await store.latest('other-study')).toBeUndefined();
  });

  it('keeps only the highest K rounds', async () => {
    const store = new CheckpointStore(dataDir(), { keep: 3 });
    for (let round = 1; round <= 5; round += 1) await store.save(STUDY, round, contents(round));
    expect(await store.rounds(STUDY)).toEqual([3, 4, 5]);
    expect(await store.load(STUDY, 2)).toBeUndefined();
    expect(await readdir(studyDirectory())).toHaveLength(3);
    expect(new CheckpointStore(dataDir()).keep).toBe(3);
    expect(() => new CheckpointStore(dataDir(), { keep: 0 })).toThrow(RangeError);
  });

  it('keeps a round it is asked to keep (the best one) besides the highest K, until it no longer is', async () => {
    const store = new CheckpointStore(dataDir(), { keep: 2 });
    for (let round = 1; round <= 5; round += 1) await store.save(STUDY, round, contents(round), { keepAlso: [2] });
    expect(await store.rounds(STUDY)).toEqual([2, 4, 5]);
    expect((await store.load(STUDY, 2))?.manifest).toEqual(contents(2).manifest);
    await store.save(STUDY, 6, contents(6), { keepAlso: [5] });
    expect(await store.rounds(STUDY)).toEqual([5, 6]);
  });

  it('replaces a round saved again', async () => {
    const store = new CheckpointStore(dataDir());
    await store.save(STUDY, 1, contents(1));
    await store.save(STUDY, 1, { manifest: { replaced: true }, blobs: { 'server-segment0.bin': new Uint8Array([42]) } });
    const loaded = await store.load(STUDY, 1);
    expect(loaded?.manifest).toEqual({ replaced: true });
    expect([...(loaded?.blobs.keys() ?? [])]).toEqual(['server-segment0.bin']);
    expect(await readdir(studyDirectory())).toEqual(['round-1']);
  });

  it('serializes concurrent saves of one study', async () => {
    const store = new CheckpointStore(dataDir(), { keep: 2 });
    await Promise.all([1, 2, 3, 4].map((round) => store.save(STUDY, round, contents(round))));
    expect(await readdir(studyDirectory())).toEqual(['round-3', 'round-4']);
  });

  it('ignores and removes the work directories a crash leaves behind', async () => {
    const store = new CheckpointStore(dataDir());
    await store.save(STUDY, 5, contents(5));
    // What a crash mid-save looks like: a staging directory with some blobs and no manifest,
    // and a round moved aside for replacement but never deleted.
    const staging = join(studyDirectory(), '.staging-round-6-0badc0ffee00');
    await mkdir(staging);
    await writeFile(join(staging, 'server-segment0.bin'), new Uint8Array(10));
    await mkdir(join(studyDirectory(), '.trash-round-4-0badc0ffee00'));

    const restarted = new CheckpointStore(dataDir());
    expect(await restarted.rounds(STUDY)).toEqual([5]);
    expect((await restarted.latest(STUDY))?.round).toBe(5);
    expect(await readdir(studyDirectory())).toEqual(['round-5']);
  });

  it('removes crash leftovers on the next save as well', async () => {
    const store = new CheckpointStore(dataDir());
    await mkdir(join(studyDirectory(), '.staging-round-1-0badc0ffee00'), { recursive: true });
    await store.save(STUDY, 1, contents(1));
    expect(await readdir(studyDirectory())).toEqual(['round-1']);
  });

  it('deletes all checkpoints of a study and nothing else', async () => {
    const store = new CheckpointStore(dataDir());
    await store.save(STUDY, 1, contents(1));
    await store.save('other', 1, contents(1));
    await store.deleteStudy(STUDY);
    await store.deleteStudy('never-saved');
    expect(await store.latest(STUDY)).toBeUndefined();
    expect(await readdir(join(dataDir(), 'checkpoints'))).toEqual(['other']);
  });

  describe('path traversal', () => {
    it('refuses study ids, rounds and blob names that are not plain names', async () => {
      const store = new CheckpointStore(join(dataDir(), 'data'));
      for (const studyId of ['../escape', '..', '.', '', 'a/b', 'a\\b', '.hidden', 'x\0y', 'x'.repeat(129)]) {
        await expect(store.save(studyId, 1, contents(1))).rejects.toThrow(RangeError);
        await expect(store.load(studyId, 1)).rejects.toThrow(RangeError);
        await expect(store.latest(studyId)).rejects.toThrow(RangeError);
        await expect(store.deleteStudy(studyId)).rejects.toThrow(RangeError);
      }
      for (const round of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
        await expect(store.save(STUDY, round, contents(1))).rejects.toThrow(RangeError);
      }
      for (const name of ['../escape.bin', '..', '', 'a/b.bin', '.hidden', 'manifest.json', 'x\0.bin']) {
        await expect(store.save(STUDY, 1, { manifest: null, blobs: { [name]: new Uint8Array(1) } })).rejects.toThrow(RangeError);
      }
      await expect(store.save(STUDY, 1, { manifest: null, blobs: { 'a.bin': [1, 2] as unknown as Uint8Array } })).rejects.toThrow(TypeError);
      // Nothing was written anywhere: not even the checkpoints directory exists.
      expect(existsSync(join(dataDir(), 'data'))).toBe(false);
      expect(await readdir(dataDir())).toEqual([]);
    });

    it('refuses a tampered manifest that points outside the checkpoint', async () => {
      const store = new CheckpointStore(dataDir());
      await store.save(STUDY, 1, contents(1));
      await writeFile(join(dataDir(), 'secret.bin'), 'not yours');
      const manifestPath = join(studyDirectory(), 'round-1', 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { blobs: Array<{ name: string }> };
      manifest.blobs[0] = { ...manifest.blobs[0], name: '../../../secret.bin' };
      await writeFile(manifestPath, JSON.stringify(manifest));
      await expect(store.load(STUDY, 1)).rejects.toThrow(CheckpointCorruptionError);
      await expect(store.load(STUDY, 1)).rejects.toThrow(/manifest.json is invalid .*not an allowed blob name/);
    });
  });

  describe('damaged checkpoints', () => {
    it('detect a truncated blob', async () => {
      const store = new CheckpointStore(dataDir());
      await store.save(STUDY, 1, contents(1));
      await writeFile(join(studyDirectory(), 'round-1', 'server-segment0.bin'), new Uint8Array(999));
      await expect(store.latest(STUDY)).rejects.toThrow(/server-segment0.bin has 999 bytes .* 1000 bytes recorded.*Delete that directory/);
    });

    it('detect a blob with the right size but other bytes', async () => {
      const store = new CheckpointStore(dataDir());
      await store.save(STUDY, 1, contents(1));
      await writeFile(join(studyDirectory(), 'round-1', 'client-segment0.bin'), new Uint8Array([9, 9, 9, 9]));
      await expect(store.load(STUDY, 1)).rejects.toThrow(CheckpointCorruptionError);
    });

    it('detect a missing manifest or blob, unreadable JSON, and a directory copied from another round', async () => {
      const store = new CheckpointStore(dataDir(), { keep: 5 });
      for (const round of [1, 2, 3, 4]) await store.save(STUDY, round, contents(round));
      await writeFile(join(studyDirectory(), 'round-1', 'manifest.json'), '{"format": 1,');
      await expect(store.load(STUDY, 1)).rejects.toThrow(/manifest.json is not valid JSON/);
      await writeFile(join(studyDirectory(), 'round-2', 'manifest.json'), await readFile(join(studyDirectory(), 'round-3', 'manifest.json')));
      await expect(store.load(STUDY, 2)).rejects.toThrow(/manifest is for study study_A-1 round 3/);
      await rm(join(studyDirectory(), 'round-3', 'manifest.json'));
      await expect(store.load(STUDY, 3)).rejects.toThrow(/manifest.json cannot be read/);
      await rm(join(studyDirectory(), 'round-4', 'empty.bin'));
      await expect(store.load(STUDY, 4)).rejects.toThrow(/empty.bin listed in the manifest cannot be read/);
    });
  });
});
