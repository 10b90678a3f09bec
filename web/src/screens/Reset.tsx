import { Alert, Anchor, Button, Stack } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { post } from '../api';
import { useHashToken } from '../ui/hash-token';
import { NewPasswordFields, newPasswordProblems, type NewPassword } from '../ui/NewPasswordFields';
import { Page } from '../ui/Page';
import { ProblemAlert } from '../ui/ProblemAlert';

/** A new password from a reset link (the server ends every session of the account). */
export function Reset() {
  const token = useHashToken();
  const [pw, setPw] = useState<NewPassword>({ password: '', repeat: '' });
  const [touched, setTouched] = useState(false);
  const reset = useMutation({
    mutationFn: () => post('/api/password/reset', { token, password: pw.password }),
    onSuccess: () => setPw({ password: '', repeat: '' }),
  });
  if (!token || reset.isSuccess) {
    return (
      <Page title="Reset your password">
        {reset.isSuccess ? (
          <Alert color="teal" variant="light" role="status">
            Your password has been changed. Sign in with the new password.
          </Alert>
        ) : (
          <Alert color="red" variant="light" role="alert">
            This page needs the link you were sent. Open the link exactly as you received it.
          </Alert>
        )}
        <Anchor component={Link} href="/signin">
          Go to sign in
        </Anchor>
      </Page>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    const p = newPasswordProblems(pw);
    if (p.password || p.repeat) return;
    reset.mutate();
  };
  return (
    <Page title="Reset your password">
      <form onSubmit={submit} noValidate aria-label="Reset your password">
        <Stack gap="sm">
          <NewPasswordFields value={pw} onChange={setPw} touched={touched} />
          <ProblemAlert error={reset.error} />
          <Button type="submit" loading={reset.isPending}>
            Set new password
          </Button>
        </Stack>
      </form>
    </Page>
  );
}
