// Jest transformer: SWC for TypeScript (with Nest's decorator metadata) and for the ES-module
// packages of NestJS 12. CommonJS has no import.meta: `const require = createRequire(import.meta.url)`
// (in @nestjs/swagger) is dropped, CommonJS already has a require; other uses get a CommonJS URL.
const { createTransformer } = require('@swc/jest');

const swc = createTransformer({
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
});

module.exports = {
  ...swc,
  process(source, path, options) {
    const patched = source.includes('import.meta.url')
      ? source
          .replace(/const require = createRequire\(import\.meta\.url\);?/g, '')
          .replaceAll('import.meta.url', "require('node:url').pathToFileURL(__filename).href")
      : source;
    return swc.process(patched, path, options);
  },
  getCacheKey(source, path, options) {
    return `${swc.getCacheKey(source, path, options)}:import-meta-v2`;
  },
};
