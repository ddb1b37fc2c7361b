import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The page's main thread must never load tfjs or initialise a tfjs backend (the e2e test
// checks it at run time; this catches it at the import that would cause it). Walks every
// import reachable from main.tsx (static, and the pages' lazy ones), into split-core's tfjs-free entry
// (@splitlearn/split-core/pure) and everything it reaches, and refuses tfjs, socket.io-client,
// split-core's other entries (its index pulls in tfjs) and worker modules other than the
// message contract.

const SRC = dirname(fileURLToPath(import.meta.url));
const PURE_ENTRY = '@splitlearn/split-core/pure';
const PURE_FILE = resolve(SRC, '../../../packages/split-core/src/pure.ts');
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT_IMPORT = /^\s*import\s*['"]([^'"]+)['"]/gm;
/** Lazily loaded pages (React.lazy): still the main thread's code. */
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveLocal(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')].find((path) => existsSync(path) && statSync(path).isFile());
}

/** Value imports only: `import type {...}` and specifier lists that are all `type X` are erased. */
function isTypeOnly(typeKeyword: string | undefined, clause: string): boolean {
  if (typeKeyword) return true;
  const braces = /^\{([^}]*)\}$/s.exec(clause.trim());
  if (!braces) return false;
  const names = (braces[1] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.length > 0 && names.every((name) => name.startsWith('type '));
}

function mainThreadGraph(): { files: string[]; bare: { from: string; specifier: string }[] } {
  const start = join(SRC, 'main.tsx');
  const seen = new Set<string>([start]);
  const queue = [start];
  const bare: { from: string; specifier: string }[] = [];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    const text = readFileSync(file, 'utf8');
    const specifiers: string[] = [];
    for (const match of text.matchAll(IMPORT)) if (!isTypeOnly(match[1], match[2] ?? '')) specifiers.push(match[3] ?? '');
    for (const match of text.matchAll(SIDE_EFFECT_IMPORT)) specifiers.push(match[1] ?? '');
    for (const match of text.matchAll(DYNAMIC_IMPORT)) specifiers.push(match[1] ?? '');
    for (const specifier of specifiers) {
      if (!specifier.startsWith('.')) {
        bare.push({ from: relative(SRC, file), specifier });
        if (specifier === PURE_ENTRY && !seen.has(PURE_FILE)) {
          seen.add(PURE_FILE);
          queue.push(PURE_FILE);
        }
        continue;
      }
      const target = resolveLocal(file, specifier);
      if (target && !seen.has(target) && /\.tsx?$/.test(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return { files: [...seen].map((file) => relative(SRC, file)).sort(), bare };
}

describe('main-thread bundle', () => {
  const graph = mainThreadGraph();

  it('reaches the pages and the tfjs-free entry of split-core (the walk itself works)', () => {
    expect(graph.files).toEqual(expect.arrayContaining(['main.tsx', 'app/app.tsx', 'features/contribute/use_contribute.ts', 'worker/messages.ts']));
    expect(graph.files).toEqual(expect.arrayContaining(['../../../packages/split-core/src/pure.ts', '../../../packages/split-core/src/protocol/dashboard.ts', '../../../packages/split-core/src/topology/descriptors.ts']));
  });

  it('imports no tfjs and no socket.io, and split-core only through its tfjs-free entry, all the way down', () => {
    const forbidden = graph.bare.filter(({ specifier }) => /^@tensorflow\/|^socket\.io-client/.test(specifier) || (specifier.startsWith('@splitlearn/split-core') && specifier !== PURE_ENTRY));
    expect(forbidden).toEqual([]);
  });

  it('imports nothing from the worker except its message contract', () => {
    expect(graph.files.filter((file) => file.startsWith('worker/') && file !== 'worker/messages.ts')).toEqual([]);
  });
});
