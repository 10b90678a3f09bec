import { defineConfig } from 'vite';
import { mantineStaticCss } from './mantine-static-css.js';
import { precompress } from './precompress.js';

/**
 * The web app's build (docs/decisions/0023-web-app.md). No React plugin: Vite 8 compiles TSX
 * itself with oxc. Output goes to dist/web, beside the server build, where src/http/web-routes.ts
 * serves it. No source maps are shipped and the HTML has no inline script or style, so the page
 * runs under `script-src 'self'; style-src 'self'`.
 */
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [mantineStaticCss(), precompress()],
  build: {
    outDir: new URL('../dist/web', import.meta.url).pathname,
    emptyOutDir: true,
    sourcemap: false,
    // Every asset as a file: a data: URL would need img-src data:, which the CSP does not allow.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        // The server serves only /assets/<word characters and dashes>.(js|css) (web-routes.ts):
        // a shared chunk named after a module like `grid-chart.module` gets its dots replaced.
        chunkFileNames: (chunk) => `assets/${chunk.name.replace(/[^\w-]/g, '-')}-[hash].js`,
      },
      // Mantine marks its modules "use client" (a server-components hint with no meaning here).
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  logLevel: 'warn',
});
