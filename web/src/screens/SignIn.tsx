import {
  Alert,
  Anchor,
  Button,
  Divider,
  PasswordInput,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { startAuthentication } from '@simplewebauthn/browser';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { post } from '../api';
import { useSession, type SignOutReason } from '../session/SessionProvider';
import { Page } from '../ui/Page';
import { ProblemAlert } from '../ui/ProblemAlert';
import { codeError, emailError, recoveryCodeError } from '../ui/validate';
import { TotpEnrollment } from './TotpEnrollment';

const NOTICES: Record<SignOutReason, string> = {
  user: 'You have signed out.',
  idle: 'You were signed out because the session was idle.',
  ended: 'Your session has ended. Please sign in again.',
  'password-changed': 'Your password was changed. Sign in with the new one.',
};

type Step = 'password' | 'code' | 'recovery' | 'enroll';

/** Password, then the second factor: a code from the app, a recovery code, or first enrollment. */
export function SignIn() {
  const { notice, signedIn } = useSession();
  const [step, setStep] = useState<Step>('password');
  return (
    <Page title="Sign in to Haven">
      {notice && step === 'password' && (
        <Alert color="blue" variant="light" role="status">
          {NOTICES[notice]}
        </Alert>
      )}
      {step === 'password' && (
        <>
          <PasswordStep onDone={(enrolled) => setStep(enrolled ? 'code' : 'enroll')} />
          <PasskeySignIn onDone={() => void signedIn()} />
        </>
      )}
      {(step === 'code' || step === 'recovery') && (
        <CodeStep
          key={step}
          kind={step}
          onSwitch={() => setStep(step === 'code' ? 'recovery' : 'code')}
          onDone={() => void signedIn()}
        />
      )}
      {step === 'enroll' && <TotpEnrollment onDone={() => void signedIn()} />}
      {step === 'password' && (
        <Text size="sm" c="dimmed">
          Forgot your password or lost your authenticator? Ask your clinic&apos;s administrator for
          a reset link.
        </Text>
      )}
    </Page>
  );
}

function PasswordStep({ onDone }: { onDone: (mfaEnrolled: boolean) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const login = useMutation({
    mutationFn: () =>
      post<{ mfaRequired: boolean; mfaEnrolled: boolean }>('/api/login', {
        email: email.trim(),
        password,
      }),
    onSuccess: (r) => onDone(r.mfaEnrolled),
    // The password is never kept after a refusal.
    onError: () => {
      setPassword('');
      setTouched(false);
    },
  });
  const errors = {
    email: touched ? emailError(email) : null,
    password: touched && password.length === 0 ? 'Enter your password' : null,
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (emailError(email) || password.length === 0) return;
    login.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Sign in">
      <Stack gap="sm">
        <TextInput
          label="Email address"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={errors.email}
          required
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.password}
          required
        />
        <ProblemAlert error={login.error} title="Sign-in failed" />
        <Button type="submit" loading={login.isPending}>
          Continue
        </Button>
      </Stack>
    </form>
  );
}

function CodeStep({
  kind,
  onSwitch,
  onDone,
}: {
  kind: 'code' | 'recovery';
  onSwitch: () => void;
  onDone: () => void;
}) {
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);
  const check = kind === 'code' ? codeError : recoveryCodeError;
  const verify = useMutation({
    mutationFn: () =>
      post(kind === 'code' ? '/api/login/totp' : '/api/login/recovery', { code: code.trim() }),
    onSuccess: onDone,
    onError: () => {
      setCode('');
      setTouched(false);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (check(code)) return;
    verify.mutate();
  };
  // A registered passkey as the second factor, after the password.
  const passkey = useMutation({
    mutationFn: async () => {
      const { options } = await post<{
        options: Parameters<typeof startAuthentication>[0]['optionsJSON'];
      }>('/api/login/webauthn/options');
      const response = await startAuthentication({ optionsJSON: options });
      await post('/api/login/webauthn/verify', { response });
    },
    onSuccess: onDone,
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Second step">
      <Stack gap="sm">
        <Text>
          {kind === 'code'
            ? 'Enter the 6-digit code from your authenticator app.'
            : 'Enter one of the recovery codes you saved. Each code works once.'}
        </Text>
        <TextInput
          label={kind === 'code' ? 'Authenticator code' : 'Recovery code'}
          inputMode={kind === 'code' ? 'numeric' : 'text'}
          autoComplete="one-time-code"
          // The previous step's button is gone: focus moves to what is asked for now.
          autoFocus
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={touched ? check(code) : null}
          required
        />
        <ProblemAlert error={verify.error} title="Sign-in failed" />
        <Button type="submit" loading={verify.isPending}>
          Sign in
        </Button>
        <Anchor component="button" type="button" onClick={onSwitch} size="sm">
          {kind === 'code' ? 'Use a recovery code instead' : 'Use the authenticator app instead'}
        </Anchor>
        <Anchor
          component="button"
          type="button"
          size="sm"
          onClick={() => passkey.mutate()}
          disabled={passkey.isPending}
        >
          Use a passkey instead
        </Anchor>
        <ProblemAlert error={passkey.error} title="Passkey sign-in failed" />
      </Stack>
    </form>
  );
}

/** Passwordless: a passkey with user verification is both factors (server-side check). */
function PasskeySignIn({ onDone }: { onDone: () => void }) {
  const passkey = useMutation({
    mutationFn: async () => {
      const { options, handle } = await post<{
        options: Parameters<typeof startAuthentication>[0]['optionsJSON'];
        handle: string;
      }>('/api/login/passkey/options');
      const response = await startAuthentication({ optionsJSON: options });
      await post('/api/login/passkey/verify', { handle, response });
    },
    onSuccess: onDone,
  });
  return (
    <Stack gap="sm">
      <Divider label="or" labelPosition="center" />
      <Button variant="default" onClick={() => passkey.mutate()} loading={passkey.isPending}>
        Sign in with a passkey
      </Button>
      <ProblemAlert error={passkey.error} title="Passkey sign-in failed" />
    </Stack>
  );
}
