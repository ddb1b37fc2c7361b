import type { Dataset } from './dataset';

// Class names found on a client (folder names, CSV labels) -> the study's label indices.
// Hospitals export the same class as `Normal`, `normal` or ` NORMAL `; they must all land
// on one label, and a class the study does not know must be reported, not guessed.

export interface ClassMatch {
  /** The study's classes in label order: as declared, or the sorted distinct names found. */
  classes: string[];
  /** Label index for every found name that matched, keyed by the name exactly as found. */
  labels: Map<string, number>;
  /** Found names (trimmed, as spelled) that match no class; their files are to be skipped. Sorted. */
  unknownClasses: string[];
}

/** The comparison key: surrounding whitespace and letter case carry no meaning in a class name. */
export function normalizeClassName(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Matches found class names against the declared ones, case-insensitively and trimmed.
 * Without declared classes, the classes are the distinct normalized names found, sorted by
 * code unit (not by locale, so every device derives the same label order). An empty name
 * (after trimming) never becomes a class.
 */
export function matchClasses(found: Iterable<string>, declared?: readonly string[]): ClassMatch {
  const foundNames = [...new Set(found)];
  const classes = declared ? [...declared] : distinctSorted(foundNames.map(normalizeClassName).filter((n) => n !== ''));

  const indexByKey = new Map<string, number>();
  classes.forEach((name, index) => {
    const key = normalizeClassName(name);
    if (key === '') throw new Error('A declared class name is empty: every class needs a name.');
    const previous = indexByKey.get(key);
    if (previous !== undefined) {
      throw new Error(
        `Declared classes "${classes[previous]}" and "${name}" differ only in case or spacing: declare each class once.`,
      );
    }
    indexByKey.set(key, index);
  });

  const labels = new Map<string, number>();
  const unknown = new Set<string>();
  for (const name of foundNames) {
    const index = indexByKey.get(normalizeClassName(name));
    if (index === undefined) unknown.add(name.trim());
    else labels.set(name, index);
  }
  return { classes, labels, unknownClasses: distinctSorted([...unknown]) };
}

function distinctSorted(names: string[]): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Samples per class name, every declared class listed (0 where none): what a participant may say of its data. */
export function classCounts(data: Dataset): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of data.classes) counts[name] = 0;
  for (const sample of data.samples) {
    const name = data.classes[sample.label] ?? String(sample.label);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
