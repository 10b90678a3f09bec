import { Anchor, Loader } from '@mantine/core';
import { lazy, Suspense, type ComponentType } from 'react';
import { Link } from 'wouter';
import { LabResults } from './lab/LabResults';
import { Results } from './patient/Results';
import { useSession } from './session/SessionProvider';

// The auditor's screen carries the chart library: loaded only when opened, so the first load of
// every other person's page stays small (docs/performance.md).
const LazyAuditSearch = lazy(() =>
  import('./auditor/AuditSearch').then((m) => ({ default: m.AuditSearch })),
);
function AuditSearch() {
  return (
    <Suspense fallback={<Loader size="sm" aria-label="Loading" />}>
      <LazyAuditSearch />
    </Suspense>
  );
}

/**
 * The role screens of the patient portal, the lab and the auditor: their routes, titles and the
 * navigation link each role sees (the server decides what each may read; a link only saves a
 * search for the screen).
 */
export const ROLE_ROUTES: {
  path: string;
  title: string;
  role: string;
  link: string;
  component: ComponentType;
}[] = [
  {
    path: '/results',
    title: 'My results and notes',
    role: 'patient',
    link: 'My results',
    component: Results,
  },
  {
    path: '/lab',
    title: 'Lab results',
    role: 'lab_assistant',
    link: 'Lab results',
    component: LabResults,
  },
  {
    path: '/audit',
    title: 'Audit trail',
    role: 'auditor',
    link: 'Audit trail',
    component: AuditSearch,
  },
];

export const ROLE_TITLES = Object.fromEntries(ROLE_ROUTES.map((r) => [r.path, r.title]));

export function RoleLinks() {
  const { session } = useSession();
  return ROLE_ROUTES.filter((r) => session?.roles.includes(r.role)).map((r) => (
    <Anchor key={r.path} component={Link} href={r.path}>
      {r.link}
    </Anchor>
  ));
}
