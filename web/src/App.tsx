import { Center, Loader } from '@mantine/core';
import { Fragment, useEffect } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { Alerts } from './auditor/Alerts';
import { ChangePassword } from './screens/ChangePassword';
import { Disclosures } from './screens/Disclosures';
import { Enroll } from './screens/Enroll';
import { Home } from './screens/Home';
import { People } from './screens/People';
import { Reset } from './screens/Reset';
import { SignIn } from './screens/SignIn';
import { useSession } from './session/SessionProvider';
import { IdleWarning } from './ui/IdleWarning';

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
  if (!signedIn && !PUBLIC.includes(location)) return <Redirect to="/signin" replace />;
  if (signedIn && location === '/signin') return <Redirect to="/" replace />;
  // Keyed on the sign-out count: after a sign-out nothing of the previous screens survives.
  return (
    <Fragment key={generation}>
      <Switch>
        <Route path="/signin" component={SignIn} />
        <Route path="/enroll" component={Enroll} />
        <Route path="/reset" component={Reset} />
        <Route path="/" component={Home} />
        <Route path="/password" component={ChangePassword} />
        <Route path="/disclosures" component={Disclosures} />
        <Route path="/people" component={People} />
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
  '/enroll': 'Set up your account',
  '/reset': 'Reset your password',
  '/': 'Home',
  '/password': 'Change my password',
  '/disclosures': 'Who has seen my record',
  '/people': 'People',
  '/auditor/alerts': 'Security alerts',
};
