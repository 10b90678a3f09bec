import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * Brotli and gzip twins of each built script and style sheet, made once at build time, so the
 * server sends a fifth of the bytes without compressing per request (src/http/web-routes.ts,
 * @fastify/static `preCompressed`). The files are public and hold no secret, so compression
 * leaks nothing (no BREACH-style oracle: nothing of the request is in them).
 */
export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'haven-precompress',
    apply: 'build',
    configResolved: (c) => {
      outDir = c.build.outDir;
    },
    writeBundle: () => {
      const dir = path.join(outDir, 'assets');
      for (const name of fs.readdirSync(dir)) {
        if (!/\.(js|css)$/.test(name)) continue;
        const file = path.join(dir, name);
        const data = fs.readFileSync(file);
        fs.writeFileSync(
          `${file}.br`,
          zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
      }
    },
  };
}
