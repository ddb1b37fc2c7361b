import type { labels } from '@splitlearn/split-core/pure';

// What was found before the study's classes are known: class names as spelled in the
// folders or the CSV, with counts and a few files to show. Replaced by the worker's matched
// preview once the study is known.

export interface FoundClass {
  name: string;
  count: number;
  samplePaths: string[];
}

export function foundClasses<F>(images: readonly labels.LabelledImage<F>[], samplesPerClass = 4): FoundClass[] {
  const byName = new Map<string, FoundClass>();
  for (const image of images) {
    const name = image.label.trim();
    const entry = byName.get(name) ?? { name, count: 0, samplePaths: [] };
    entry.count += 1;
    if (entry.samplePaths.length < samplesPerClass) entry.samplePaths.push(image.path);
    byName.set(name, entry);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
