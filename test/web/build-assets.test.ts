import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASSET_FILE } from '../../src/http/web-routes.js';
import { buildWebApp } from './browser.js';

/**
 * Every file the build writes under assets/ is one the server will serve. Found when two lazy
 * screens sharing the charts made the bundler emit `grid-chart.module-<hash>.js`: the server's
 * strict name check answered 404 and the chart screen went blank.
 */
describe('the built web app', () => {
  const assets = path.resolve('dist/web/assets');
  beforeAll(() => buildWebApp(), 180_000);

  it('names every script and style sheet so that the server serves it', () => {
    const files = fs
      .readdirSync(assets)
      .filter((f) => !f.endsWith('.br') && !f.endsWith('.gz') && /\.(js|css)$/.test(f));
    expect(files.length).toBeGreaterThan(3);
    expect(files.filter((f) => !ASSET_FILE.test(f))).toEqual([]);
  });
});
