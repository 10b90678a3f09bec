import { Center, Loader } from '@mantine/core';
import { Fragment, lazy, Suspense, useEffect } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { EmergencyBanner } from './clinician/EmergencyBanner';
import { MyPatients } from './clinician/MyPatients';
import { Appointments } from './patient/Appointments';
import { Calendar } from './scheduler/Calendar';
import { Compliance } from './auditor/Compliance';
import { Alerts } from './auditor/Alerts';
import { ChangePassword } from './screens/ChangePassword';
import { Disclosures } from './screens/Disclosures';
import { Inbox } from './messages/Inbox';
import { ThreadView } from './messages/ThreadView';
import { Enroll } from './screens/Enroll';
import { Home } from './screens/Home';
import { People } from './screens/People';
import { ROLE_ROUTES, ROLE_TITLES } from './role-routes';
import { Reset } from './screens/Reset';
import { SignIn } from './screens/SignIn';
import { useSession } from './session/SessionProvider';
import { Visit, WaitingList } from './telehealth';
import { IdleWarning } from './ui/IdleWarning';

// The SMART consent screen: loaded only when an app asks for access (ADR 0035).
const Authorize = lazy(() => import('./smart/Authorize').then((m) => ({ default: m.Authorize })));

// The chart brings the charting library (recharts): loaded only when a chart is opened.
const Chart = lazy(() => import('./clinician/Chart').then((m) => ({ default: m.Chart })));

/** Pages reachable without a session; every other page needs both sign-in steps. */
const PUBLIC = ['/signin', '/enroll', '/reset'];

export function App() {
  const { session, generation } = useSession();
  const [location] = useLocation();
  const signedIn = session?.mfa === true;
  useEffect(() => {
    document.title = `Haven – ${TITLES[location] ?? 'Haven'}`;
  }, [location]);
  if (session === undefined) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  // An app's authorization request: sign in (both factors) in place, then the consent screen,
  // so the request in the address is not lost on the way.
  if (location === '/smart/authorize') {
    if (!signedIn) return <SignIn />;
    return (
      <Suspense fallback={<Loader aria-label="Loading" />}>
        <Authorize />
      </Suspense>
    );
  }
  if (!signedIn && !PUBLIC.includes(location)) return <Redirect to="/signin" replace />;
  if (signedIn && location === '/signin') return <Redirect to="/" replace />;
  // Keyed on the sign-out count: after a sign-out nothing of the previous screens survives.
  return (
    <Fragment key={generation}>
      {signedIn && <EmergencyBanner />}
      <Switch>
        <Route path="/signin" component={SignIn} />
        <Route path="/enroll" component={Enroll} />
        <Route path="/reset" component={Reset} />
        <Route path="/" component={Home} />
        <Route path="/password" component={ChangePassword} />
        <Route path="/disclosures" component={Disclosures} />
        <Route path="/people" component={People} />
        <Route path="/patients" component={MyPatients} />
        <Route path="/chart">
          <Suspense fallback={<Loader aria-label="Loading" />}>
            <Chart />
          </Suspense>
        </Route>
        <Route path="/visits" component={WaitingList} />
        <Route path="/visit/:id" component={Visit} />
        {ROLE_ROUTES.map((r) => (
          <Route key={r.path} path={r.path} component={r.component} />
        ))}
        <Route path="/calendar" component={Calendar} />
        <Route path="/appointments" component={Appointments} />
        <Route path="/messages" component={Inbox} />
        <Route path="/messages/:id" component={ThreadView} />
        <Route path="/compliance" component={Compliance} />
        <Route path="/auditor/alerts" component={Alerts} />
        <Route>
          <Redirect to="/" replace />
        </Route>
      </Switch>
      {signedIn && <IdleWarning />}
    </Fragment>
  );
}

const TITLES: Record<string, string> = {
  '/signin': 'Sign in',
  '/smart/authorize': 'Connect an app',
  '/enroll': 'Set up your account',
  '/reset': 'Reset your password',
  '/': 'Home',
  '/password': 'Change my password',
  '/disclosures': 'Who has seen my record',
  '/people': 'People',
  '/patients': 'My patients',
  '/chart': 'Patient chart',
  '/visits': 'Video visits',
  ...ROLE_TITLES,
  '/calendar': 'Calendar',
  '/appointments': 'My appointments',
  '/messages': 'Messages',
  '/compliance': 'Compliance report',
  '/auditor/alerts': 'Security alerts',
};
