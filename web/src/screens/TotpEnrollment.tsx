import { Button, Checkbox, Code, List, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { post } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';
import { QrSvg } from '../ui/QrSvg';
import { codeError } from '../ui/validate';

interface Setup {
  otpauthUri: string;
  qrSvg: string;
  secret: string;
}

/**
 * Second-factor enrollment: the server's QR code (and its key, for typing in), a code from the
 * app to confirm, then the recovery codes, shown this once and never again.
 */
export function TotpEnrollment({ onDone }: { onDone: () => void }) {
  const setup = useMutation({ mutationFn: () => post<Setup>('/api/mfa/totp/setup') });
  const confirm = useMutation({
    mutationFn: (code: string) =>
      post<{ recoveryCodes: string[] }>('/api/mfa/totp/confirm', { code }),
  });
  const started = useRef(false);
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    setup.mutate();
  }, [setup]);

  if (confirm.data) {
    return (
      <Stack gap="sm">
        <Text>
          Your authenticator app is set up. These recovery codes let you sign in if you lose the
          device. Each works once. Write them down or print them now: Haven will not show them
          again.
        </Text>
        <List aria-label="Recovery codes" data-testid="recovery-codes" spacing={2}>
          {confirm.data.recoveryCodes.map((c) => (
            <List.Item key={c}>
              <Code>{c}</Code>
            </List.Item>
          ))}
        </List>
        <Checkbox
          label="I have saved my recovery codes"
          checked={saved}
          onChange={(e) => setSaved(e.currentTarget.checked)}
        />
        <Button disabled={!saved} onClick={onDone}>
          Continue
        </Button>
      </Stack>
    );
  }

  const error = touched ? codeError(code) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (codeError(code)) return;
    confirm.mutate(code.trim());
  };
  return (
    <Stack gap="sm">
      <Text>
        Scan this code with an authenticator app (for example on your phone), then type the 6-digit
        code it shows.
      </Text>
      <ProblemAlert error={setup.error} title="The setup could not start" />
      {setup.data && (
        <>
          <QrSvg svg={setup.data.qrSvg} label="QR code to scan with your authenticator app" />
          <Text size="sm">
            Cannot scan? Enter this key in the app instead:{' '}
            <Code data-testid="totp-secret">{setup.data.secret}</Code>
          </Text>
        </>
      )}
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Code from your authenticator app"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={error}
            required
          />
          <ProblemAlert error={confirm.error} />
          <Button type="submit" loading={confirm.isPending} disabled={!setup.data}>
            Confirm
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
