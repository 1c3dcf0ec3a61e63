// eslint 9 flat config: typescript-eslint's type-checked rules over sources and tests
// (tsconfig.test.json covers both), plain recommended rules for the few JS files.
// `npm run lint`. Formatting is prettier's (`npm run format:check`), not eslint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', '.node-red/**', 'test-artifacts/**', 'bench-results/**', 'models/*/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // async methods that implement a Promise-returning interface without awaiting (fakes, release())
      '@typescript-eslint/require-await': 'off',
      // Node-RED node constructors keep `const node = this` for their callbacks
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // vitest's asymmetric matchers (expect.closeTo, expect.stringMatching, ...) are typed `any`
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['scripts/**/*.js', 'flows/**/*.js', 'test/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['core/annotate/static/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
);
