import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Express handlers may be async (Express 5 forwards their rejections to the error handler).
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Two parts, one direction: the lab may import the product; the product and its tests never import the
    // lab, so editing a benchmark or a generator cannot break the product's contract (npm test).
    // lab/policy/one-way.test.ts lints a product file that imports the lab and expects this error.
    files: ['src/**', 'public/**', 'test/**', 'scripts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)lab(/|$)', message: 'The product and its tests never import the lab (lab/).' },
            { regex: '^moscow-time-lab(/|$)', message: 'The product and its tests never import the lab (lab/).' },
          ],
        },
      ],
    },
  },
  { files: ['public/**/*.ts'], languageOptions: { globals: globals.browser } },
  { files: ['*.js'], languageOptions: { globals: globals.node } },
);
