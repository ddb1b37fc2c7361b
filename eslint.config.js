// Type-aware linting for the whole monorepo (STYLE.md §12: strict, no `any`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '.relay-data/**', 'test-results/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Command-line entry points and benchmarks talk to the terminal.
    files: ['**/cli.ts', '**/cli/**/*.ts', '**/bench/**/*.ts', 'e2e/**/*.ts', '**/*.test.ts'],
    rules: { 'no-console': 'off' },
  },
  { files: ['*.js'], ...tseslint.configs.disableTypeChecked },
);
