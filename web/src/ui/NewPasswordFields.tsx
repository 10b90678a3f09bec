import { PasswordInput, Stack } from '@mantine/core';
import { newPasswordError } from './validate';

export interface NewPassword {
  password: string;
  repeat: string;
}

export function newPasswordProblems(v: NewPassword) {
  return {
    password: newPasswordError(v.password),
    repeat: v.repeat === v.password ? null : 'The two passwords are not the same',
  };
}

/** A new password typed twice; long passphrases welcome. */
export function NewPasswordFields({
  value,
  onChange,
  touched,
  label = 'New password',
}: {
  value: NewPassword;
  onChange: (v: NewPassword) => void;
  touched: boolean;
  label?: string;
}) {
  const errors = touched ? newPasswordProblems(value) : { password: null, repeat: null };
  return (
    <Stack gap="sm">
      <PasswordInput
        label={label}
        description="At least 12 characters for staff, 8 for patients. A few unrelated words work well."
        autoComplete="new-password"
        value={value.password}
        onChange={(e) => onChange({ ...value, password: e.currentTarget.value })}
        error={errors.password}
        required
      />
      <PasswordInput
        label="Repeat the new password"
        autoComplete="new-password"
        value={value.repeat}
        onChange={(e) => onChange({ ...value, repeat: e.currentTarget.value })}
        error={errors.repeat}
        required
      />
    </Stack>
  );
}
