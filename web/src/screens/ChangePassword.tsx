import { Button, PasswordInput, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { post } from '../api';
import { useSession } from '../session/SessionProvider';
import { NewPasswordFields, newPasswordProblems, type NewPassword } from '../ui/NewPasswordFields';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';

/**
 * Re-authenticate with the current password (the server wants a recent proof for sensitive
 * changes), then change it. The server ends every session of the account, this one included.
 */
export function ChangePassword() {
  const { signOut } = useSession();
  const [current, setCurrent] = useState('');
  const [pw, setPw] = useState<NewPassword>({ password: '', repeat: '' });
  const [touched, setTouched] = useState(false);
  const change = useMutation({
    mutationFn: async () => {
      await post('/api/reauth', { password: current });
      await post('/api/password', { current, next: pw.password });
    },
    onSuccess: () => void signOut('password-changed'),
    onError: () => setCurrent(''),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    const p = newPasswordProblems(pw);
    if (!current || p.password || p.repeat) return;
    change.mutate();
  };
  return (
    <SignedInPage title="Change my password" width={520}>
      <Text>After the change you will be signed out everywhere and sign in with the new one.</Text>
      <form onSubmit={submit} noValidate aria-label="Change my password">
        <Stack gap="sm">
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            error={touched && !current ? 'Enter your current password' : null}
            required
          />
          <NewPasswordFields value={pw} onChange={setPw} touched={touched} />
          <ProblemAlert error={change.error} />
          <Button type="submit" loading={change.isPending}>
            Change password
          </Button>
        </Stack>
      </form>
    </SignedInPage>
  );
}
