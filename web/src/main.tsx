import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import 'virtual:mantine-theme.css';
import './app.css';
import { MantineProvider, type MantineColorSchemeManager } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { SessionProvider } from './session/SessionProvider';
import { theme } from './theme';

/** Light scheme, remembered nowhere: the app writes nothing to browser storage. */
const noStorage: MantineColorSchemeManager = {
  get: () => 'light',
  set: () => {},
  subscribe: () => {},
  unsubscribe: () => {},
  clear: () => {},
};

// PHI lives in this cache (memory only) and nowhere else; it is cleared at sign-out.
const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: false, refetchOnWindowFocus: false, gcTime: 5 * 60_000 },
    mutations: { retry: false },
  },
});

createRoot(document.getElementById('root')!).render(
  <QueryClientProvider client={queryClient}>
    {/* No injected <style>: the theme's CSS is built to a file (web/mantine-static-css.ts). */}
    <MantineProvider
      theme={theme}
      withCssVariables={false}
      withGlobalClasses={false}
      colorSchemeManager={noStorage}
    >
      <SessionProvider>
        <App />
      </SessionProvider>
    </MantineProvider>
  </QueryClientProvider>,
);
