import { Alert, Text } from '@mantine/core';
import { ApiProblem } from '../api';

const POLICY_REASONS: Record<string, string> = {
  'too-short': 'it is too short',
  'too-long': 'it is too long',
  common: 'it is a commonly used password',
  contextual: 'it contains words tied to you or to Haven',
  repetitive: 'it is too repetitive',
};

/**
 * A refusal as a person can read it, with the request id to quote to support. The text is the
 * server's fixed message (never what was typed) or the app's own.
 */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const problem = error instanceof ApiProblem ? error : undefined;
  const reasons = Array.isArray(problem?.extra.reasons)
    ? (problem.extra.reasons as unknown[])
        .map((r) => POLICY_REASONS[String(r)])
        .filter((r): r is string => r !== undefined)
    : [];
  return (
    <Alert color="red" variant="light" title={title ?? 'That did not work'} role="alert">
      <Text size="sm">{problem ? sentence(problem.message) : 'Something went wrong.'}</Text>
      {reasons.length > 0 && <Text size="sm">The password was refused: {reasons.join('; ')}.</Text>}
      {problem?.requestId && (
        <Text size="xs" c="dimmed" mt={4} data-testid="request-id">
          Request id: {problem.requestId}
        </Text>
      )}
    </Alert>
  );
}

function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
