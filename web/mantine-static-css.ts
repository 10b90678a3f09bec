import {
  convertCssVariables,
  defaultCssVariablesResolver,
  keys,
  mergeMantineTheme,
  DEFAULT_THEME,
  em,
  px,
} from '@mantine/core';
import type { Plugin } from 'vite';
import { theme } from './src/theme.js';

const ID = 'virtual:mantine-theme.css';

/**
 * Mantine's provider writes its theme's CSS variables and breakpoint classes into <style> tags at
 * run time, which `style-src 'self'` refuses. The same CSS is computed here, at build time, from
 * the same theme object and shipped as a file; the provider is told not to inject (App.tsx).
 */
export function mantineStaticCss(): Plugin {
  return {
    name: 'haven-mantine-static-css',
    resolveId: (id) => (id === ID ? `\0${ID}` : undefined),
    load: (id) => (id === `\0${ID}` ? themeCss() : undefined),
  };
}

export function themeCss(): string {
  const merged = mergeMantineTheme(DEFAULT_THEME, theme);
  const variables = convertCssVariables(defaultCssVariablesResolver(merged), ':root');
  const scheme =
    ':root[data-mantine-color-scheme="light"]{--mantine-color-scheme:light;}' +
    ':root[data-mantine-color-scheme="dark"]{--mantine-color-scheme:dark;}';
  const classes = keys(merged.breakpoints)
    .map((bp) => {
      const value = px(merged.breakpoints[bp]) as number;
      return (
        `@media (max-width: ${em(value - 0.1)}) {.mantine-visible-from-${bp} {display: none !important;}}` +
        `@media (min-width: ${em(value)}) {.mantine-hidden-from-${bp} {display: none !important;}}`
      );
    })
    .join('');
  return `${variables}${scheme}${classes}`;
}
