import { createTheme } from '@mantine/core';

/** Calm and readable: one muted primary colour, generous type, visible focus rings. */
export const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: 8,
  fontSizes: { md: '1rem' },
  defaultRadius: 'md',
  focusRing: 'always',
});
