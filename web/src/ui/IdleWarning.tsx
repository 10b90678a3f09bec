import { Button, Group, Paper, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useSession } from '../session/SessionProvider';

/**
 * Two minutes before automatic logoff: a countdown and "Stay signed in". Not a modal (Mantine's
 * scroll lock injects a <style> tag the CSP refuses); a fixed alert dialog that takes focus.
 */
export function IdleWarning() {
  const { warningDeadline, staySignedIn, signOut } = useSession();
  const [now, setNow] = useState(() => Date.now());
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (warningDeadline === null) return;
    button.current?.focus();
    setNow(Date.now());
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [warningDeadline]);
  if (warningDeadline === null) return null;
  const left = Math.max(0, Math.ceil((warningDeadline - now) / 1000));
  const mmss = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  return (
    <Paper
      className="haven-idle-warning"
      role="alertdialog"
      aria-labelledby="idle-title"
      aria-describedby="idle-text"
      shadow="lg"
      p="lg"
      withBorder
    >
      <Text id="idle-title" fw={700}>
        Are you still there?
      </Text>
      <Text id="idle-text" my="xs">
        For your privacy you will be signed out in {mmss} unless you continue.
      </Text>
      <Group>
        <Button ref={button} onClick={() => void staySignedIn()}>
          Stay signed in
        </Button>
        <Button variant="default" onClick={() => void signOut('user')}>
          Sign out now
        </Button>
      </Group>
    </Paper>
  );
}
