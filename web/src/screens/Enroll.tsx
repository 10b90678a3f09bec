import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { post } from '../api';
import { useSession } from '../session/SessionProvider';
import { useHashToken } from '../ui/hash-token';
import { NewPasswordFields, newPasswordProblems, type NewPassword } from '../ui/NewPasswordFields';
import { Page } from '../ui/Page';
import { ProblemAlert } from '../ui/ProblemAlert';
import { emailError } from '../ui/validate';
import { TotpEnrollment } from './TotpEnrollment';

/** From an invitation link: choose a password, sign in with it, set up the second factor. */
export function Enroll() {
  const token = useHashToken();
  const { signedIn } = useSession();
  const [, navigate] = useLocation();
  const [email, setEmail] = useState('');
  const [pw, setPw] = useState<NewPassword>({ password: '', repeat: '' });
  const [touched, setTouched] = useState(false);
  const enroll = useMutation({
    mutationFn: async () => {
      await post('/api/enroll', { token, password: pw.password });
      await post('/api/login', { email: email.trim(), password: pw.password });
    },
    onSuccess: () => setPw({ password: '', repeat: '' }),
  });

  if (!token) {
    return (
      <Page title="Set up your account">
        <Alert color="red" variant="light" role="alert">
          This page needs the link from your invitation. Open the link exactly as you received it.
        </Alert>
        <Anchor component={Link} href="/signin">
          Go to sign in
        </Anchor>
      </Page>
    );
  }
  if (enroll.isSuccess) {
    return (
      <Page title="Set up your authenticator app">
        <TotpEnrollment
          onDone={() => void signedIn().then(() => navigate('/', { replace: true }))}
        />
      </Page>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    const p = newPasswordProblems(pw);
    if (emailError(email) || p.password || p.repeat) return;
    enroll.mutate();
  };
  return (
    <Page title="Set up your account">
      <Text>Welcome to Haven. Choose a password; next you will set up a second sign-in step.</Text>
      <form onSubmit={submit} noValidate aria-label="Set up your account">
        <Stack gap="sm">
          <TextInput
            label="Your email address (the one the invitation was sent for)"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={touched ? emailError(email) : null}
            required
          />
          <NewPasswordFields value={pw} onChange={setPw} touched={touched} />
          <ProblemAlert error={enroll.error} />
          <Button type="submit" loading={enroll.isPending}>
            Set password
          </Button>
        </Stack>
      </form>
    </Page>
  );
}
