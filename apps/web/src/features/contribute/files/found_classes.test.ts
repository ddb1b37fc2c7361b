import { describe, expect, it } from 'vitest';
import { foundClasses } from './found_classes';

describe('foundClasses', () => {
  it('counts images per class name as found, with a few sample paths, sorted by name', () => {
    const images = ['b/1.png', 'b/2.png', 'a/1.png', 'b/3.png'].map((path) => ({ path, file: path, label: path.split('/')[0] ?? '' }));
    expect(foundClasses(images, 2)).toEqual([
      { name: 'a', count: 1, samplePaths: ['a/1.png'] },
      { name: 'b', count: 3, samplePaths: ['b/1.png', 'b/2.png'] },
    ]);
  });
});
