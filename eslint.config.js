// Lint: typescript-eslint's type-aware rules, plus the layering rule from style.md
// (commands stay thin adapters: no transport libraries imported there). The layers themselves (no cycle,
// imports only point down) are held by test/unit/architecture/import-graph.test.ts.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/support/docker-stub/.bundle/**', 'oclif.manifest.json', 'bin/**', 'eslint.config.js', 'vitest.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['node-ssh', 'ssh2', 'node-vault', 'execa', 'listr2'] }],
    },
  },
)
