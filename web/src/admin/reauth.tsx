import { Button, Group, Paper, PasswordInput, Stack, Text } from '@mantine/core';
import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import { ApiProblem, post } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';

/** Runs a request; if the server wants a fresh re-authentication, asks for it, then retries once. */
export type Guarded = <T>(fn: () => Promise<T>) => Promise<T>;

interface Waiting {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Admin changes need a re-authentication within 5 minutes (the server answers 401
 * reauth-required). Instead of failing, the app shows a password prompt, calls /api/reauth and
 * sends the same request again. The password lives only in this component's state.
 */
export function useReauth(): { guarded: Guarded; prompt: ReactNode } {
  const [waiting, setWaiting] = useState<Waiting | null>(null);
  const guarded = useCallback<Guarded>(async (fn) => {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ApiProblem && e.code === 'reauth-required')) throw e;
      await new Promise<void>((resolve, reject) => setWaiting({ resolve, reject }));
      return fn();
    }
  }, []);
  const prompt = waiting && (
    <ReauthPrompt
      onDone={() => {
        waiting.resolve();
        setWaiting(null);
      }}
      onCancel={() => {
        waiting.reject(new ApiProblem(0, 'reauth-cancelled', 'Nothing was changed.', undefined));
        setWaiting(null);
      }}
    />
  );
  return { guarded, prompt };
}

/** Not a Modal (its scroll lock injects <style>, refused by the CSP): a fixed dialog, as IdleWarning. */
function ReauthPrompt({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!password) return;
    setBusy(true);
    setError(null);
    try {
      await post('/api/reauth', { password });
      onDone();
    } catch (err) {
      setError(err);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper
      className="haven-idle-warning"
      role="dialog"
      aria-modal="false"
      aria-labelledby="reauth-title"
      shadow="lg"
      p="lg"
      withBorder
    >
      <form
        onSubmit={(e) => void submit(e)}
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}
        aria-labelledby="reauth-title"
      >
        <Stack gap="sm">
          <Text id="reauth-title" fw={700}>
            Confirm it is you
          </Text>
          <Text size="sm">Changes to accounts need your password again (every 5 minutes).</Text>
          <PasswordInput
            label="Your password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            data-autofocus
            autoFocus
            required
          />
          <ProblemAlert error={error} title="Not confirmed" />
          <Group>
            <Button type="submit" loading={busy}>
              Confirm
            </Button>
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
