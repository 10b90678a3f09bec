import { Anchor, Button, Group } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { isClinician } from '../clinician/open-patient';
import { useSession } from '../session/SessionProvider';
import { Page } from './Page';
import { RoleLinks } from '../role-routes';

const MESSAGING_ROLES = ['patient', 'physician', 'nurse'];

/** A page for a signed-in person: navigation and "Sign out" in the header. */
export function SignedInPage({
  title,
  children,
  width = 720,
}: {
  title: string;
  children: ReactNode;
  width?: number;
}) {
  const { signOut, session } = useSession();
  const roles = session?.roles ?? [];
  return (
    <Page
      title={title}
      width={width}
      actions={
        <Group gap="md" component="nav" aria-label="Main">
          <Anchor component={Link} href="/">
            Home
          </Anchor>
          {isClinician(session?.roles) && (
            <Anchor component={Link} href="/patients">
              My patients
            </Anchor>
          )}
          {isClinician(session?.roles) && (
            <Anchor component={Link} href="/visits">
              Visits
            </Anchor>
          )}
          <RoleLinks />
          {roles.includes('scheduler') && (
            <Anchor component={Link} href="/calendar">
              Calendar
            </Anchor>
          )}
          {roles.includes('patient') && (
            <Anchor component={Link} href="/appointments">
              My appointments
            </Anchor>
          )}
          {session?.roles.some((r) => MESSAGING_ROLES.includes(r)) && (
            <Anchor component={Link} href="/messages">
              Messages
            </Anchor>
          )}
          <Button variant="default" size="xs" onClick={() => void signOut('user')}>
            Sign out
          </Button>
        </Group>
      }
    >
      {children}
    </Page>
  );
}
